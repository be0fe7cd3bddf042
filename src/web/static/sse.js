// An incremental parser of a text/event-stream body (the Server-Sent Events
// framing), fed with the chunks of a fetch() reader: EventSource cannot send
// an Authorization header, so the page reads the stream itself.
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

export class SseParser {
  /** @param {(message: { event: string, data: string }) => void} onMessage */
  constructor(onMessage) {
    this.onMessage = onMessage;
    this.buffer = '';
    this.event = '';
    this.data = [];
    this.afterCR = false;
  }

  /** Feeds decoded text; calls onMessage for every complete message in it. */
  push(text) {
    // A CRLF split across two chunks: the LF ends nothing new.
    if (this.afterCR && text.startsWith('\n')) text = text.slice(1);
    this.afterCR = text.endsWith('\r');
    const lines = (this.buffer + text).split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  line(line) {
    if (line === '') {
      if (this.data.length > 0) this.onMessage({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return; // a comment: the server's keepalive
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
