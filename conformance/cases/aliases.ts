/**
 * Case ids that were renamed, old → new. The runner accepts an old id in
 * `--filter` and in expectations files for one release, so CI configurations
 * written against the old names keep working while they are updated.
 */
export const caseAliases: Readonly<Record<string, string>> = {};
