/**
 * The server's fast reader (`parseFrameFast`) against the full parser (`parseFrame`): the same
 * answer — the same frame, or the same `invalid` message — for every text, valid or hostile.
 */
import { encodeAck, encodeMsg, parseFrame, parseFrameFast } from '../../src/protocol';
import { seededRandom as random } from '../../src/testing/seeded-random';


/** What the scanner looks at closely: JSON punctuation, digits, escapes, control and surrogate characters, base64. */
const ALPHABET = ['"', '\\', '{', '}', ',', ':', ' ', '0', '1', '9', '-', '.', 'e', 'a', 'b', 'd', 's', 't', 'u', 'n', '/', '=', '+', 'A', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udc00', '😀', '中', 'x'];

const agree = (text: string): void => expect([text, parseFrameFast(text)]).toEqual([text, parseFrame(text)]);

describe('the fast frame reader', () => {
  test('reads the frames a session client sends, exactly as the full parser does', () => {
    const frames = [
      encodeAck(0),
      encodeAck(7),
      encodeAck(999999999999999),
      encodeMsg(1, 'i1', 'hello'),
      encodeMsg(2, 'i2', 'AAE=', 1),
      encodeMsg(3, 'i3', ''),
      encodeMsg(4, 'x', '{"json":"inside","n":[1,2]}'),
      encodeMsg(5, 'id with "quotes" and \\', 'line\nbreak\ttab \u2028 \u0001 😀 中文'),
      encodeMsg(6, 'lone', '\ud800 and \udfff'),
      encodeMsg(9007199254740991, 'max', 'd'),
      encodeMsg(10, 'long', 'x'.repeat(5000)),
      encodeMsg(11, 'long, escaped', '"'.repeat(5000)),
    ];
    for (const text of frames) {
      agree(text);
      expect(parseFrameFast(text)).toEqual(JSON.parse(text));
    }
  });

  test('reads plain acks and msgs without JSON.parse; a string with escapes alone goes through it', () => {
    const parse = jest.spyOn(JSON, 'parse');
    try {
      parseFrameFast(encodeAck(42));
      parseFrameFast(encodeMsg(3, 'AbCd.1x', 'a plain payload 中文 😀'));
      parseFrameFast(encodeMsg(4, 'b', 'AAE=', 1));
      expect(parse).not.toHaveBeenCalled();
      expect(parseFrameFast(encodeMsg(5, 'c', 'say "hi"'))).toEqual({ t: 'msg', s: 5, id: 'c', d: 'say "hi"' });
      expect(parse.mock.calls).toEqual([['"say \\"hi\\""']]);
    } finally {
      parse.mockRestore();
    }
  });

  test('rejects every malformed msg and ack with the full parser\'s message', () => {
    const bad = [
      '{"t":"ack","a":-1}', '{"t":"ack","a":01}', '{"t":"ack","a":1.5}', '{"t":"ack","a":"1"}', '{"t":"ack","a":1}}', '{"t":"ack","a":}',
      '{"t":"ack","a":1', '{"t":"ack","a":9007199254740993}', '{"t":"ack","a":12345678901234567890}',
      '{"t":"msg","s":0,"id":"a","d":""}', '{"t":"msg","s":00,"id":"a","d":""}', '{"t":"msg","s":-1,"id":"a","d":""}',
      '{"t":"msg","s":1,"id":"","d":""}', '{"t":"msg","s":1,"id":"a\u0000","d":""}', '{"t":"msg","s":1,"id":"a","d":3}',
      '{"t":"msg","s":1,"id":"a","d":"%%%","b":1}', '{"t":"msg","s":1,"id":"a","d":"","b":2}', '{"t":"msg","s":1,"id":"a","d":"x\ny"}',
      '{"t":"msg","s":1,"id":"a","d":"\\x"}', '{"t":"msg","s":1,"id":"a","d":"\\u12"}', '{"t":"msg","s":1,"id":"a","d":"\\"}',
      '{"t":"msg","s":1,"id":"a","d":"abc', '{"t":"msg","s":1,"id":"a","d":"","r":""}', '{"t":"msg","s":1,"id":"a","d":""}x',
      '{"t":"ack"', '{"t":"msg"', '{"t":"ack","a":', '{"t":"msg","s":', '',
    ];
    for (const text of bad) agree(text);
    expect(bad.filter((text) => parseFrameFast(text).t !== 'invalid')).toEqual([]);
  });

  test('reads other spellings of valid frames (spacing, key order, repeated keys, exponents, r) as the full parser does', () => {
    const odd = [
      '{"t":"ack","a":1e3}', '{"t":"ack","a":1} ', '{"t":"ack","a":1,"a":2}', '{"t":"ack","a":1,"x":1}',
      '{"t":"msg","s":1.0,"id":"a","d":""}', '{"t":"msg", "s":1,"id":"a","d":""}', '{"t":"msg","s":1,"d":"","id":"a"}',
      '{"t":"msg","s":1,"id":"a","d":"","d":""}', '{"t":"msg","s":1,"id":"a","d":"","b":1,"b":1}', '{"t":"msg","s":1,"id":"a","d":"","r":"room"}',
    ];
    for (const text of odd) agree(text);
    expect(odd.filter((text) => parseFrameFast(text).t === 'invalid')).toEqual([]);
  });

  test('agrees with the full parser on 100 000 generated texts: valid frames, each mutated by insertions, deletions and replacements', () => {
    const next = random(21);
    const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)]!;
    const word = (): string => Array.from({ length: Math.floor(next() * 6) }, () => pick(ALPHABET)).join('');
    let fastValid = 0;
    for (let i = 0; i < 100000; i++) {
      const seed = next() < 0.5
        ? encodeAck(Math.floor(next() * 1e6))
        : encodeMsg(Math.floor(next() * 1e6), word() || 'i', next() < 0.3 ? 'AAEC' : word(), next() < 0.3 ? 1 : undefined);
      let text = seed;
      for (let m = Math.floor(next() * 3); m > 0; m--) {
        const at = Math.floor(next() * (text.length + 1));
        const op = next();
        text = op < 0.4 ? text.slice(0, at) + pick(ALPHABET) + text.slice(at) : op < 0.7 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + pick(ALPHABET) + text.slice(at + 1);
      }
      const fast = parseFrameFast(text);
      const full = parseFrame(text);
      if (JSON.stringify(fast) !== JSON.stringify(full)) agree(text);
      if (fast.t !== 'invalid') fastValid++;
    }
    // The generator is not trivially all-invalid: many mutated texts are still frames.
    expect(fastValid).toBeGreaterThan(25000);
  });
});
