import { PERMISSION_DESCRIPTIONS, PERMISSIONS, roleCan } from './permissions';
import { ROLES } from './principal';

export const TABLE_START = '<!-- permission-table:start -->';
export const TABLE_END = '<!-- permission-table:end -->';

/** The permission table as Markdown, for README.md and docs/access.md (a spec keeps them equal). */
export function permissionTableMarkdown(): string {
  const header = `| permission | ${ROLES.join(' | ')} | allows |`;
  const rule = `| --- | ${ROLES.map(() => ':---:').join(' | ')} | --- |`;
  const rows = PERMISSIONS.map(
    (p) =>
      `| \`${p}\` | ${ROLES.map((r) => (roleCan(r, p) ? 'yes' : '-')).join(' | ')} | ${PERMISSION_DESCRIPTIONS[p]} |`,
  );
  return [header, rule, ...rows].join('\n');
}

/** The table between the markers of a Markdown text, or undefined without markers. */
export function tableIn(markdown: string): string | undefined {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + TABLE_START.length, end).trim();
}
