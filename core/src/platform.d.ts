/**
 * The web-platform globals the core relies on: Node 20+ and every browser JupyterLab supports have
 * them. Declared here, narrowly, because the core compiles without Node's types and without the DOM
 * (so that nothing Node- or browser-only can creep in).
 */
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer, options?: { stream?: boolean }): string;
}
declare function atob(data: string): string;
declare function btoa(data: string): string;
declare var crypto: { getRandomValues<T extends ArrayBufferView>(array: T): T };
declare var console: { warn(...data: unknown[]): void };
