// A run that ends without error but reports what failed, as spec_to_pr's summary does.
export async function main(failures: string[] = []) {
  return { failures };
}
