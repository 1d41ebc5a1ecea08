import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from './audit-log';

async function linesOf(path: string, count: number): Promise<Array<Record<string, unknown>>> {
  for (let i = 0; i < 100; i++) {
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      // not created yet
    }
    const lines = text.split('\n').filter(Boolean);
    if (lines.length >= count)
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`fewer than ${count} audit lines in ${path}`);
}

describe('AuditLog', () => {
  const entry = {
    action: 'request',
    actor: 'team-a',
    outcome: 'denied' as const,
    requestId: 'req-1',
    status: 429,
    messages: [{ role: 'user', content: 'the prompt text' }],
  };

  it('appends one JSON line per entry to a file, creating its folder, without prompts', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'nested', 'audit.jsonl');
    const audit = new AuditLog(path, false);
    audit.write(entry);
    audit.write({ ...entry, requestId: 'req-2' });
    const lines = await linesOf(path, 2);
    expect(lines[0]).toMatchObject({
      log: 'audit',
      action: 'request',
      actor: 'team-a',
      outcome: 'denied',
      requestId: 'req-1',
      status: 429,
    });
    expect(Date.parse(String(lines[0].time))).not.toBeNaN();
    expect(lines.map((l) => l.requestId)).toEqual(['req-1', 'req-2']);
    expect(readFileSync(path, 'utf8')).not.toContain('the prompt text');
  });

  it('keeps the prompt only when asked to', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.jsonl');
    new AuditLog(path, true).write(entry);
    const [line] = await linesOf(path, 1);
    expect(line.messages).toEqual(entry.messages);
  });
});
