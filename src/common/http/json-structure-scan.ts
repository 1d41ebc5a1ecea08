/**
 * A cheap incremental pre-scan of JSON bytes, run on each chunk of a request body as it arrives,
 * before anything parses it. It tracks only what a parser would pay for: how deep the brackets
 * nest and how many values there are. So a body of millions of nested brackets is refused at the
 * 65th bracket, not after JSON.parse has built millions of arrays (seconds of a blocked event
 * loop and hundreds of megabytes). It does not validate JSON; JSON.parse does that afterwards,
 * on bodies the scan let through.
 */
export interface JsonScanLimits {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** Most values (objects, arrays and the items separated by commas) in the body. */
  maxValues: number;
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;

export class JsonStructureScan {
  private depth = 0;
  private values = 0;
  private inString = false;
  private escaped = false;

  constructor(private readonly limits: JsonScanLimits) {}

  /** Scans the next chunk; returns a sentence for the client when a limit is passed. */
  feed(chunk: Uint8Array): string | undefined {
    const { maxDepth, maxValues } = this.limits;
    let { depth, values, inString, escaped } = this;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (inString) {
        if (escaped) escaped = false;
        else if (byte === BACKSLASH) escaped = true;
        else if (byte === QUOTE) inString = false;
        continue;
      }
      if (byte === QUOTE) {
        inString = true;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (++depth > maxDepth) return tooDeep(maxDepth);
        if (++values > maxValues) return tooMany(maxValues);
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
      } else if (byte === COMMA) {
        if (++values > maxValues) return tooMany(maxValues);
      }
    }
    this.depth = depth;
    this.values = values;
    this.inString = inString;
    this.escaped = escaped;
    return undefined;
  }
}

function tooDeep(maxDepth: number): string {
  return `The request body nests deeper than ${maxDepth} levels. Send a flatter JSON body.`;
}

function tooMany(maxValues: number): string {
  return `The request body has more than ${maxValues} JSON values. Send a smaller body.`;
}
