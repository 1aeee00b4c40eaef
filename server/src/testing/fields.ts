/**
 * The fields a 400 names, each as `<path> <Chinese message>` (`signatures.guardian 监护人签名不能为空`): specs assert on the
 * path (machine-readable, from the body's `fields`) and on the words a user reads, in one string.
 */
export function named(body: { fields?: { field: string; message: string }[] } | undefined): string[] {
  return (body?.fields ?? []).map((f) => `${f.field} ${f.message}`);
}
