import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Pool } from 'undici';

/**
 * The reference the gateway is held to: the smallest NestJS proxy the design card allows. NestJS
 * 11 on the Fastify adapter, one controller taking `@Body()`, one undici Pool call to the
 * upstream, a Promise of the answer (the parsed JSON, or the SSE body as a stream), with the
 * gateway's two runtime fixes (the AsyncResource#bind backport, the pinned nextTick entry shape).
 * No validation, no hooks, no metrics: what Nest itself costs, to measure the gateway's own work
 * against.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { backportAsyncResourceBind } = require(
  join(__dirname, '..', '..', 'dist', 'runtime', 'async-resource-bind.js'),
) as { backportAsyncResourceBind(): boolean };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pinTickObjectShape } = require(
  join(__dirname, '..', '..', 'dist', 'runtime', 'tick-object-shape.js'),
) as { pinTickObjectShape(): void };
backportAsyncResourceBind();
pinTickObjectShape();

const upstream = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:8081', { connections: 128 });
const key = process.env.GROQ_API_KEY ?? 'gsk_bench_key';

interface ChatBody {
  model?: string;
  stream?: boolean;
  [field: string]: unknown;
}

@Controller()
class ChatController {
  @Post('v1/chat/completions')
  @HttpCode(200)
  async create(
    @Body() body: ChatBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    if (typeof body.model === 'string' && body.model.startsWith('groq/'))
      body.model = body.model.slice(5);
    const response = await upstream.request({
      method: 'POST',
      path: '/openai/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });
    reply.status(response.statusCode);
    if (body.stream === true) {
      reply.header('content-type', 'text/event-stream');
      return response.body as Readable;
    }
    return response.body.json();
  }
}

@Module({ controllers: [ChatController] })
class PlainModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(PlainModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(Number(process.env.PORT ?? 0), '127.0.0.1');
  const address = app.getHttpServer().address();
  process.stdout.write(
    `plain nest listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`,
  );
}

void main();
