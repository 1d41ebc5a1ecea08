import { Observable, type OperatorFunction } from 'rxjs';
import type { GuardrailOutcome } from '../call/ended-call';
import type { ChatCompletionChunk, ChatToolCall } from '../providers/chat-types';
import type { Finding } from './detectors/finding';
import type { StreamingMode } from './guardrails-config';
import type { GuardrailStop, StageResult } from './policy-runner';
import type { TextPart } from './text-parts';

/** What the stream guard needs from the service: the checks, and how to name and refuse. */
export interface StreamChecks {
  mode: StreamingMode;
  windowChars: number;
  /**
   * At least this much of the tail stays held (the window, or more: the longest match with
   * whitespace in it a span detector can make; see detectors/match-span.ts).
   */
  holdChars: number;
  /**
   * Some output policy is a judge (moderation, webhook), which sees one window at a time: windows
   * then end at a sentence end when there is one in them, so a judge reads whole sentences.
   */
  sentences?: boolean;
  /** The span detectors, run over the held text to choose where it may be cut. */
  finders: ReadonlyArray<(text: string) => Finding[]>;
  /** The output stage over some parts; `flagOnly` after the text has left (mode none). */
  check(parts: TextPart[], flagOnly: boolean): Promise<StageResult>;
  /** The client's name for a piece of the answer. */
  paramOf(channel: Channel, index: number): string;
  /** The error a block ends the stream with (the route writes its own in-band error). */
  refuse(stop: GuardrailStop): Error;
  /** Told the output outcomes once: when the stream ends well, or when a policy blocks it. */
  done(outcomes: GuardrailOutcome[]): void;
}

export type Channel = 'content' | 'reasoning' | 'tool';

const SEVERITY: Record<GuardrailOutcome['outcome'], number> = {
  pass: 0,
  error: 1,
  flagged: 2,
  redacted: 3,
  blocked: 4,
};

/**
 * The output stage on a chat chunk stream, before any conversion (so Responses and Anthropic
 * streams get it too). `window` holds back the last `windowChars` characters of text (cut at a
 * space, never inside a finding) so redaction and blocking act before text leaves; what is let go
 * is checked first, judges included. `buffer` holds the whole answer. `none` lets everything go
 * and checks at the end, flagging only. Tool-call arguments are held until the answer ends.
 * The finish and usage chunks are held to the end; the last chunk carries the output outcomes as
 * `x_gateway.guardrails`. A block errors the stream: the source is unsubscribed (the upstream
 * call cancelled) and the held text is dropped.
 */
export function guardChatStream(
  checks: StreamChecks,
): OperatorFunction<ChatCompletionChunk, ChatCompletionChunk> {
  // A small queue of its own rather than concatMap over a promise per chunk: most chunks are only
  // held (nothing to check yet) and go through synchronously, with no promise, inner observable
  // or microtask; the chunks that let a window go wait for its checks, in order.
  return (source) =>
    new Observable<ChatCompletionChunk>((subscriber) => {
      const guard = new StreamGuardState(checks);
      /** Chunks not yet pushed; `undefined` is the end of the source. */
      const queue: Array<ChatCompletionChunk | undefined> = [];
      let busy = false;
      const fail = (error: unknown) => subscriber.error(error);
      const emit = (out: readonly ChatCompletionChunk[], ending: boolean) => {
        for (const chunk of out) subscriber.next(chunk);
        if (ending) subscriber.complete();
      };
      const drain = (): void => {
        while (!busy && queue.length > 0 && !subscriber.closed) {
          const chunk = queue.shift();
          const ending = chunk === undefined;
          let result: ChatCompletionChunk[] | Promise<ChatCompletionChunk[]>;
          try {
            result = ending ? guard.end() : guard.push(chunk);
          } catch (error) {
            fail(error);
            return;
          }
          if (Array.isArray(result)) {
            emit(result, ending);
            continue;
          }
          busy = true;
          result.then((out) => {
            busy = false;
            emit(out, ending);
            drain();
          }, fail);
        }
      };
      const subscription = source.subscribe({
        next: (chunk) => {
          queue.push(chunk);
          drain();
        },
        error: fail,
        complete: () => {
          queue.push(undefined);
          drain();
        },
      });
      // A block errors the subscriber, which runs this: the upstream call is cancelled.
      return () => subscription.unsubscribe();
    });
}

interface HeldChannel {
  channel: 'content' | 'reasoning';
  pending: string;
  /** The text released so far, only its tail kept (context for the next window). */
  released: number;
}

class StreamGuardState {
  private template?: ChatCompletionChunk;
  private readonly held: Record<'content' | 'reasoning', HeldChannel> = {
    content: { channel: 'content', pending: '', released: 0 },
    reasoning: { channel: 'reasoning', pending: '', released: 0 },
  };
  private readonly tools = new Map<
    number,
    ChatToolCall & { function: { name?: string; arguments: string } }
  >();
  private readonly tail: ChatCompletionChunk[] = [];
  private readonly outcomes = new Map<string, GuardrailOutcome>();

  constructor(private readonly checks: StreamChecks) {}

  /** What may go now: at once when nothing is let go yet, or after the checks of a window. */
  push(chunk: ChatCompletionChunk): ChatCompletionChunk[] | Promise<ChatCompletionChunk[]> {
    this.template ??= chunk;
    const choice = chunk.choices[0];
    if (!choice) {
      this.tail.push(chunk);
      return [];
    }
    const delta = choice.delta;
    const out: ChatCompletionChunk[] = [];
    const content = typeof delta.content === 'string' ? delta.content : '';
    const reasoning = typeof delta.reasoning === 'string' ? delta.reasoning : '';
    for (const call of delta.tool_calls ?? []) this.holdTool(call);
    const opening = delta.role !== undefined;
    if (this.checks.mode === 'none') {
      this.held.content.pending += content;
      this.held.reasoning.pending += reasoning;
      if (choice.finish_reason) this.tail.push(chunk);
      else out.push(chunk);
      return out;
    }
    if (opening) {
      // The role chunk goes at once (it opens the stream); any text in it is held like the rest.
      out.push(this.chunkWith({ role: delta.role, content: delta.tool_calls ? null : '' }));
    }
    this.held.content.pending += content;
    this.held.reasoning.pending += reasoning;
    if (choice.finish_reason) this.tail.push(chunk);
    if (
      this.checks.mode === 'window' &&
      (this.full(this.held.reasoning) || this.full(this.held.content))
    )
      return this.releaseWindows(out);
    return out;
  }

  /** Enough held to let a window go (the check `releaseWindow` starts with). */
  private full(held: HeldChannel): boolean {
    return held.pending.length >= this.checks.holdChars + this.checks.windowChars;
  }

  private async releaseWindows(out: ChatCompletionChunk[]): Promise<ChatCompletionChunk[]> {
    for (const held of [this.held.reasoning, this.held.content]) {
      const released = await this.releaseWindow(held);
      if (released) out.push(released);
    }
    return out;
  }

  async end(): Promise<ChatCompletionChunk[]> {
    const out: ChatCompletionChunk[] = [];
    const flagOnly = this.checks.mode === 'none';
    const parts: TextPart[] = [];
    const texts: Partial<Record<'content' | 'reasoning', TextPart>> = {};
    for (const held of [this.held.reasoning, this.held.content]) {
      if (!held.pending) continue;
      const part = this.part(held.channel, held.pending);
      texts[held.channel] = part;
      parts.push(part);
    }
    const toolParts = [...this.tools.entries()].map(([index, call]) => {
      const part = this.part('tool', call.function.arguments, index);
      return { call, part };
    });
    parts.push(...toolParts.map((t) => t.part));
    if (parts.length > 0 || this.outcomes.size === 0) await this.run(parts, flagOnly);
    if (!flagOnly) {
      if (texts.reasoning) out.push(this.chunkWith({ reasoning: texts.reasoning.text }));
      if (texts.content) out.push(this.chunkWith({ content: texts.content.text }));
      for (const { call, part } of toolParts)
        out.push(
          this.chunkWith({
            tool_calls: [{ ...call, function: { ...call.function, arguments: part.text } }],
          }),
        );
    }
    const outcomes = [...this.outcomes.values()];
    const last = this.tail.pop() ?? this.chunkWith({});
    out.push(...this.tail, { ...last, x_gateway: { guardrails: outcomes } });
    this.checks.done(outcomes);
    return out;
  }

  /**
   * Lets go of what lies more than `holdChars` back, checked first. The cut is moved before any
   * finding over it, and then back to just after a whitespace character: a match without
   * whitespace (an email, a key, a word) is never let go in part, even one still arriving; one
   * with whitespace is at most `holdChars` long, so any over the cut lies wholly in the held text,
   * where it was found. With no whitespace before the cut, nothing is let go yet.
   */
  private async releaseWindow(held: HeldChannel): Promise<ChatCompletionChunk | undefined> {
    const { windowChars, holdChars } = this.checks;
    if (!this.full(held)) return undefined;
    const findings = this.checks.finders.flatMap((find) => find(held.pending));
    let cut = cutPoint(held.pending, held.pending.length - holdChars, findings);
    if (this.checks.sentences && cut > 0) {
      // Judges read what they are given alone: hand them whole sentences. With no sentence end in
      // reach, wait for one up to another window's worth; a longer sentence is cut at a space.
      const sentence = sentenceCut(held.pending, cut);
      if (sentence >= windowChars / 2) cut = cutPoint(held.pending, sentence, findings);
      else if (held.pending.length < holdChars + 2 * windowChars) return undefined;
    }
    if (cut <= 0) return undefined;
    const part = this.part(held.channel, held.pending.slice(0, cut));
    held.pending = held.pending.slice(cut);
    held.released += cut;
    await this.run([part], false);
    return this.chunkWith(
      held.channel === 'content' ? { content: part.text } : { reasoning: part.text },
    );
  }

  private async run(parts: TextPart[], flagOnly: boolean): Promise<void> {
    const result = await this.checks.check(parts, flagOnly);
    for (const outcome of result.outcomes) {
      const seen = this.outcomes.get(outcome.policy);
      if (!seen || SEVERITY[outcome.outcome] > SEVERITY[seen.outcome])
        this.outcomes.set(outcome.policy, outcome);
    }
    if (result.stop) {
      // The block is an outcome too: the call's report (access line, `ended` event) carries it.
      this.checks.done([...this.outcomes.values()]);
      throw this.checks.refuse(result.stop);
    }
  }

  private holdTool(delta: ChatToolCall): void {
    const index = delta.index ?? 0;
    const call = this.tools.get(index);
    if (!call) {
      this.tools.set(index, {
        index,
        id: delta.id,
        type: delta.type ?? 'function',
        function: { name: delta.function?.name, arguments: delta.function?.arguments ?? '' },
      });
      return;
    }
    call.id ??= delta.id;
    if (delta.function?.name) call.function.name ??= delta.function.name;
    call.function.arguments += delta.function?.arguments ?? '';
  }

  private part(channel: Channel, text: string, index = 0): TextPart {
    const part: TextPart = {
      param: this.checks.paramOf(channel, index),
      channel,
      text,
      set: (t) => (part.text = t),
    };
    return part;
  }

  private chunkWith(delta: ChatCompletionChunk['choices'][number]['delta']): ChatCompletionChunk {
    const t = this.template as ChatCompletionChunk;
    return {
      id: t.id,
      object: 'chat.completion.chunk',
      created: t.created,
      model: t.model,
      ...(t.system_fingerprint !== undefined && { system_fingerprint: t.system_fingerprint }),
      choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
    };
  }
}

const WHITESPACE = /\s/;

/**
 * Where held text may be cut, at or before `limit`: before every finding over the cut (again
 * until none is), then just after the nearest whitespace before it; 0 when there is none.
 */
export function cutPoint(text: string, limit: number, findings: readonly Finding[]): number {
  let cut = limit;
  for (let moved = true; moved && cut > 0;) {
    moved = false;
    for (const finding of findings) {
      if (finding.start < cut && finding.end > cut) {
        cut = finding.start;
        moved = true;
      }
    }
    let at = cut - 1;
    while (at >= 0 && !WHITESPACE.test(text[at])) at--;
    if (at + 1 !== cut) moved = true;
    cut = at + 1;
  }
  return cut;
}

/** Sentence ends: a terminator (and closing quotes or brackets) then whitespace, or a line break. */
const SENTENCE_END = /[.!?\u2026\u3002\uff01\uff1f]["'\u2019\u201d)\]]*\s|\n/g;

/** Just after the last sentence end at or before `limit` (its whitespace included); 0 if none. */
export function sentenceCut(text: string, limit: number): number {
  let cut = 0;
  SENTENCE_END.lastIndex = 0;
  for (let match = SENTENCE_END.exec(text); match; match = SENTENCE_END.exec(text)) {
    const end = match.index + match[0].length;
    if (end > limit) break;
    cut = end;
  }
  return cut;
}
