// The Lambda entry (design.md §6). PLACEHOLDER: implemented by the digest work.
export async function handler(): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  return { batchItemFailures: [] };
}
