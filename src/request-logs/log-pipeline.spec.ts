import type { Logger } from '@nestjs/common';
import { Registry } from 'prom-client';
import { createPipeline } from './log-pipeline';
import type { LogRecord } from './log-record';
import { RequestLogsMetrics } from './request-logs-metrics';

const tick = (ms = 100) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createPipeline', () => {
  it('logs a refused record at most once per 10 s, the next line saying how many came between, and counts each', async () => {
    const registry = new Registry();
    const warnings: string[] = [];
    const logger = {
      warn: (line: string) => warnings.push(line),
      error: (line: string) => warnings.push(line),
      log: () => undefined,
    } as unknown as Logger;
    const refusedForGood = Object.assign(new Error('new row violates check constraint "c"'), {
      code: '23514',
    });
    const queue = createPipeline(
      {
        sink: 'store',
        capacity: 100,
        batchSize: 10,
        flushIntervalMs: 5,
        maxAttempts: Number.POSITIVE_INFINITY,
        retryBaseDelayMs: 5,
        // A constraint that refuses every record.
        write: () => Promise.reject(refusedForGood),
        refusal: (error) =>
          error === refusedForGood ? { code: '23514', message: refusedForGood.message } : undefined,
      },
      new RequestLogsMetrics(registry),
      logger,
    );
    for (let i = 0; i < 10; i++) queue.push({ request_id: `req-${i}` } as LogRecord);
    await tick();
    expect(queue.length).toBe(0);
    expect(warnings).toEqual([
      'request logs: store refused the record of request req-0 (23514: new row violates check constraint "c"); dropped it, the other records are written',
    ]);
    // Eleven seconds on, the next refusal is logged with the count of those in between.
    const now = Date.now() + 11_000;
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now);
    try {
      queue.push({ request_id: 'req-10' } as LogRecord);
      await tick();
    } finally {
      clock.mockRestore();
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(
      /of request req-10 \(23514: .*\); dropped it, the other records are written; 9 more refused since the last such line$/,
    );
    const dropped = await registry
      .getSingleMetric('groq_gateway_request_logs_dropped_total')
      ?.get();
    expect(dropped?.values).toContainEqual({
      labels: { sink: 'store', reason: 'refused' },
      value: 11,
    });
  });
});
