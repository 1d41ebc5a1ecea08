import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { permissionTableMarkdown, tableIn } from './permission-table';

const ROOT = join(__dirname, '..', '..');

describe('the permission table in the docs', () => {
  it.each(['README.md', 'docs/access.md'])('%s shows the table the code enforces', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    // To refresh: node -e "console.log(require('./dist/auth/permission-table').permissionTableMarkdown())"
    expect(tableIn(text)).toBe(permissionTableMarkdown());
  });

  it('has a row per permission and a column per role', () => {
    const lines = permissionTableMarkdown().split('\n');
    expect(lines[0]).toBe('| permission | admin | developer | viewer | auditor | allows |');
    expect(lines.find((l) => l.startsWith('| `logs.bodies`'))).toMatch(
      /^\| `logs\.bodies` \| yes \| yes \| - \| - \|/,
    );
  });
});
