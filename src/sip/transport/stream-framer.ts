/**
 * RFC 3261 18.3 message framing on stream transports (TCP, TLS): a message ends
 * Content-Length bytes after the CRLFCRLF that closes its headers. Works on raw
 * bytes; the header section is only decoded for the lines that may be Content-Length.
 */

export type FramingErrorCode = "header-too-large" | "missing-content-length" | "invalid-content-length" | "body-too-large";

/** A framing failure: RFC 3261 18.3 says the stream must then be closed. */
export class FramingError extends Error {
  readonly code: FramingErrorCode;
  constructor(code: FramingErrorCode, message: string) {
    super(message);
    this.name = "FramingError";
    this.code = code;
  }
}

/** RFC 5626 4.4.1: "ping" is a double CRLF (answer with a CRLF "pong"), "pong" a single CRLF. */
export type KeepAliveKind = "ping" | "pong";

export interface StreamFramerHandlers {
  /** One whole message, start line to end of body. The buffer is not reused by the framer. */
  message(bytes: Buffer): void;
  keepAlive?(kind: KeepAliveKind): void;
  /** Called once; the framer then ignores further input. */
  error(error: FramingError): void;
}

export interface StreamFramerOptions {
  /** Largest start line + headers + CRLFCRLF accepted. Default 64 KiB. */
  maxHeaderBytes?: number;
  /** Largest Content-Length accepted. Default 16 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HT = 0x09;
const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");
const EMPTY = Buffer.alloc(0);
/** Internal buffers above this size are released once empty. */
const KEEP_CAPACITY = 64 * 1024;

const BETWEEN = 0; // skipping CRLFs before a start line
const HEADERS = 1; // looking for CRLFCRLF
const BODY = 2; // waiting for Content-Length body bytes

export class StreamFramer {
  private readonly handlers: StreamFramerHandlers;
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  /** Bytes of an incomplete message, from index 0 to `len`. */
  private buf: Buffer = EMPTY;
  private len = 0;
  private state = BETWEEN;
  /** LFs seen in the current run of CR/LF between messages. */
  private lineEnds = 0;
  private pongReported = false;
  /** Bytes of the current message already searched for CRLFCRLF. */
  private headerScanned = 0;
  /** Header + body length of the current message once its headers are parsed. */
  private messageLength = 0;
  private stopped = false;

  constructor(handlers: StreamFramerHandlers, options: StreamFramerOptions = {}) {
    this.handlers = handlers;
    this.maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /** Bytes held for an incomplete message. */
  get bufferedBytes(): number {
    return this.len;
  }

  /** True after an error or stop(): input is ignored. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Feeds the next chunk read from the stream. */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.len === 0) {
      // Fast path: work on the chunk itself, messages are views of it.
      const keepFrom = this.process(chunk, chunk.length, false);
      if (!this.stopped && keepFrom < chunk.length) this.retain(chunk, keepFrom);
    } else {
      this.append(chunk);
      const keepFrom = this.process(this.buf, this.len, true);
      if (!this.stopped) this.discard(keepFrom);
    }
  }

  /** Drops buffered bytes and ignores further input (the stream is being closed). */
  stop(): void {
    this.stopped = true;
    this.buf = EMPTY;
    this.len = 0;
  }

  /**
   * Frames what it can of data[0, end); returns where the unconsumed bytes start.
   * `owned`: data is the internal buffer, so emitted messages must not alias it.
   */
  private process(data: Buffer, end: number, owned: boolean): number {
    let pos = 0;
    while (pos < end) {
      if (this.state === BETWEEN) {
        // RFC 3261 7.5: CRLFs before a start line are ignored; RFC 5626 4.4.1: CRLFCRLF is a ping.
        while (pos < end) {
          const b = data[pos];
          if (b === LF) {
            if (++this.lineEnds === 2) {
              this.lineEnds = 0;
              this.pongReported = false;
              this.handlers.keepAlive?.("ping");
              if (this.stopped) return end;
            }
          } else if (b !== CR) {
            break;
          }
          pos++;
        }
        if (this.lineEnds === 1 && !this.pongReported && (pos < end || data[end - 1] === LF)) {
          // A lone CRLF followed by a message, or ending the read: a pong.
          this.pongReported = true;
          this.handlers.keepAlive?.("pong");
          if (this.stopped) return end;
        }
        if (pos === end) return end;
        this.lineEnds = 0;
        this.pongReported = false;
        this.state = HEADERS;
        this.headerScanned = 0;
      }
      const view = data.subarray(pos, end);
      if (this.state === HEADERS) {
        const idx = view.indexOf(CRLFCRLF, this.headerScanned > 3 ? this.headerScanned - 3 : 0);
        if (idx < 0 || idx + 4 > this.maxHeaderBytes) {
          if (idx >= 0 || view.length > this.maxHeaderBytes) {
            return this.fail(new FramingError("header-too-large", `no end of headers within ${this.maxHeaderBytes} bytes`));
          }
          this.headerScanned = view.length;
          return pos;
        }
        const contentLength = this.contentLength(view, idx + 2);
        if (contentLength instanceof FramingError) return this.fail(contentLength);
        this.messageLength = idx + 4 + contentLength;
        this.state = BODY;
      }
      // BODY
      if (view.length < this.messageLength) return pos;
      const message = this.take(data, pos, pos + this.messageLength, end, owned);
      pos += this.messageLength;
      this.state = BETWEEN;
      this.handlers.message(message);
      if (this.stopped) return end;
    }
    return pos;
  }

  /** RFC 3261 18.3 / 20.14: Content-Length (compact form "l") is mandatory on streams. */
  private contentLength(head: Buffer, headerEnd: number): number | FramingError {
    let value: string | undefined;
    let found: number | undefined;
    let inContentLength = false;
    // The first line is the start line, never a header.
    let lineStart = head.indexOf(LF) + 1;
    while (lineStart > 0 && lineStart < headerEnd) {
      let lineEnd = head.indexOf(LF, lineStart);
      if (lineEnd < 0 || lineEnd > headerEnd) lineEnd = headerEnd;
      const first = head[lineStart];
      if (first === SP || first === HT) {
        // RFC 3261 7.3.1: a line starting with whitespace continues the previous header.
        if (inContentLength) value += head.toString("latin1", lineStart, lineEnd);
      } else {
        if (value !== undefined) {
          const checked = this.checkValue(value, found);
          if (checked instanceof FramingError) return checked;
          found = checked;
          value = undefined;
        }
        inContentLength = false;
        const lower = first | 0x20;
        if (lower === 0x63 /* c */ || lower === 0x6c /* l */) {
          const line = head.toString("latin1", lineStart, lineEnd);
          const colon = line.indexOf(":");
          if (colon > 0) {
            // RFC 3261 7.3.1: header names are case-insensitive, whitespace may precede the colon.
            const name = line.slice(0, colon).trimEnd().toLowerCase();
            if (name === "content-length" || name === "l") {
              inContentLength = true;
              value = line.slice(colon + 1);
            }
          }
        }
      }
      lineStart = lineEnd + 1;
    }
    if (value !== undefined) {
      const checked = this.checkValue(value, found);
      if (checked instanceof FramingError) return checked;
      found = checked;
    }
    if (found === undefined) {
      return new FramingError("missing-content-length", "Content-Length is required on a stream transport");
    }
    return found;
  }

  private checkValue(raw: string, previous: number | undefined): number | FramingError {
    const text = raw.trim();
    if (!/^[0-9]+$/.test(text)) {
      return new FramingError("invalid-content-length", `invalid Content-Length ${JSON.stringify(text)}`);
    }
    const n = text.length > 15 ? Number.POSITIVE_INFINITY : Number(text);
    if (n > this.maxBodyBytes) {
      return new FramingError("body-too-large", `Content-Length ${text} exceeds ${this.maxBodyBytes}`);
    }
    if (previous !== undefined && previous !== n) {
      return new FramingError("invalid-content-length", `conflicting Content-Length values ${previous} and ${n}`);
    }
    return n;
  }

  private fail(error: FramingError): number {
    this.stop();
    this.handlers.error(error);
    return Number.POSITIVE_INFINITY;
  }

  /** The bytes of one message, never aliasing memory the framer will write again. */
  private take(data: Buffer, start: number, stop: number, end: number, owned: boolean): Buffer {
    if (!owned) return data.subarray(start, stop);
    if (start === 0 && stop === end) {
      // The whole internal buffer is this message: hand it over instead of copying.
      this.buf = EMPTY;
      this.len = 0;
      return data.subarray(start, stop);
    }
    const copy = Buffer.allocUnsafe(stop - start);
    data.copy(copy, 0, start, stop);
    return copy;
  }

  private reserve(needed: number): void {
    if (needed <= this.buf.length) return;
    let capacity = Math.max(needed, this.buf.length * 2, 4096);
    // While a body is awaited, its length is known exactly.
    if (this.state === BODY && needed <= this.messageLength) capacity = this.messageLength;
    const grown = Buffer.allocUnsafe(capacity);
    this.buf.copy(grown, 0, 0, this.len);
    this.buf = grown;
  }

  private retain(chunk: Buffer, from: number): void {
    this.len = 0;
    this.reserve(chunk.length - from);
    chunk.copy(this.buf, 0, from);
    this.len = chunk.length - from;
  }

  private append(chunk: Buffer): void {
    this.reserve(this.len + chunk.length);
    chunk.copy(this.buf, this.len);
    this.len += chunk.length;
  }

  private discard(keepFrom: number): void {
    if (keepFrom >= this.len) {
      this.len = 0;
      if (this.buf.length > KEEP_CAPACITY) this.buf = EMPTY;
    } else if (keepFrom > 0) {
      this.buf.copyWithin(0, keepFrom, this.len);
      this.len -= keepFrom;
    }
  }
}
