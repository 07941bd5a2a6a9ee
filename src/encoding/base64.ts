/**
 * Base64 for ArrayBuffers, where neither `btoa`/`atob` nor `Buffer` can be counted on
 * (mini-program runtimes). Used by the session codec (`"b":1` payloads) and the Alipay
 * binding (binary frames as base64).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** char code → 6-bit value; 64 marks a character outside the alphabet. */
let lookup: Uint8Array | undefined;

/** ArrayBuffer (of any realm) or a view of one → base64 with padding. */
export function toBase64(data: ArrayBuffer | ArrayBufferView): string {
  const bytes = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
  let out = '';
  const n = bytes.length;
  for (let i = 0; i < n; i += 3) {
    const x = (bytes[i]! << 16) | ((i + 1 < n ? bytes[i + 1]! : 0) << 8) | (i + 2 < n ? bytes[i + 2]! : 0);
    out += ALPHABET[x >> 18]! + ALPHABET[(x >> 12) & 63]! + (i + 1 < n ? ALPHABET[(x >> 6) & 63]! : '=') + (i + 2 < n ? ALPHABET[x & 63]! : '=');
  }
  return out;
}

/** base64 → ArrayBuffer; characters outside the alphabet (padding, line breaks) are skipped. */
export function fromBase64(text: string): ArrayBuffer {
  if (!lookup) {
    lookup = new Uint8Array(128).fill(64);
    for (let i = 0; i < 64; i++) lookup[ALPHABET.charCodeAt(i)] = i;
  }
  const table = lookup;
  const sextet = (i: number): number => {
    const c = text.charCodeAt(i);
    return c < 128 ? table[c]! : 64;
  };
  let count = 0;
  for (let i = 0; i < text.length; i++) if (sextet(i) < 64) count++;
  const out = new Uint8Array((count * 3) >> 2);
  let bits = 0;
  let value = 0;
  let j = 0;
  for (let i = 0; i < text.length; i++) {
    const c = sextet(i);
    if (c === 64) continue;
    value = ((value << 6) | c) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (value >> bits) & 255;
    }
  }
  return out.buffer;
}
