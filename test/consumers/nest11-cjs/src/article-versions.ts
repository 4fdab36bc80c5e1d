/** The cheap lookup the README's ArticlesController asks before the slow part: a version per article. */
const versions = new Map<string, { version: string; updatedAt: Date }>([
  ['1', { version: 'v42', updatedAt: new Date('2026-11-01T10:00:00Z') }],
]);

export const articleVersions = {
  etag: (id: string): string | undefined => versions.get(id)?.version,
  updatedAt: (id: string): Date | undefined => versions.get(id)?.updatedAt,
};
