import vm from 'vm';
import { classify, decodePayload, encodeAck, encodeError, encodeHello, encodeMsg, encodePayload, encodeVolatile, encodeWelcome, fromBase64, isRoomName, parseFrame, toBase64 } from '../../src/protocol';

describe('session codec', () => {
  test('every encoded frame parses back to itself, field names as PROTOCOL.md', () => {
    const frames = [
      encodeHello(null, 0),
      encodeHello('abc', 7),
      encodeWelcome('abc', true, 3, 120000),
      encodeWelcome('abc', false, 0, 120000, 'forbidden'),
      encodeMsg(1, 'i1', 'hello'),
      encodeMsg(2, 'i2', 'AAE=', 1),
      encodeAck(9),
      encodeError(4400, 'bad'),
    ];
    expect(frames).toEqual([
      '{"t":"hello","v":1,"sid":null,"rx":0}',
      '{"t":"hello","v":1,"sid":"abc","rx":7}',
      '{"t":"welcome","v":1,"sid":"abc","resumed":true,"rx":3,"ttl":120000}',
      '{"t":"welcome","v":1,"sid":"abc","resumed":false,"rx":0,"ttl":120000,"reason":"forbidden"}',
      '{"t":"msg","s":1,"id":"i1","d":"hello"}',
      '{"t":"msg","s":2,"id":"i2","d":"AAE=","b":1}',
      '{"t":"ack","a":9}',
      '{"t":"error","code":4400,"message":"bad"}',
    ]);
    expect(frames.map((f) => parseFrame(f))).toEqual(frames.map((f) => JSON.parse(f)));
  });

  test('invalid frames come back as one kind of result naming what was wrong', () => {
    const bad: Array<[string, string]> = [
      ['{', 'frame is not JSON'],
      ['[1]', 'frame is not a JSON object'],
      ['null', 'frame is not a JSON object'],
      ['{"x":1}', 'frame has no "t"'],
      ['{"t":"nope"}', 'unknown frame type "nope"'],
      ['{"t":"hello","v":2,"sid":null,"rx":0}', 'unsupported protocol version "v"'],
      ['{"t":"hello","v":1,"sid":5,"rx":0}', 'hello "sid" must be null or a session id'],
      ['{"t":"hello","v":1,"sid":null,"rx":-1}', 'hello "rx" must be an integer ≥ 0'],
      ['{"t":"msg","s":0,"id":"a","d":""}', 'msg "s" must be an integer ≥ 1'],
      ['{"t":"msg","s":1.5,"id":"a","d":""}', 'msg "s" must be an integer ≥ 1'],
      ['{"t":"msg","s":1,"id":"","d":""}', 'msg "id" must be a non-empty string'],
      ['{"t":"msg","s":1,"id":"a","d":3}', 'msg "d" must be a string'],
      ['{"t":"msg","s":1,"id":"a","d":"%%%","b":1}', 'msg "b" must be 1 with base64 in "d"'],
      ['{"t":"msg","s":1,"id":"a","d":"","b":2}', 'msg "b" must be 1 with base64 in "d"'],
      ['{"t":"ack","a":"1"}', 'ack "a" must be an integer ≥ 0'],
      ['{"t":"welcome","v":1,"sid":"s","resumed":false,"rx":0,"ttl":1}', 'welcome with resumed:false needs "reason" new|unknown|expired|overflow|forbidden'],
      ['{"t":"error","code":"x","message":""}', 'error needs "code" and "message"'],
    ];
    expect(bad.map(([text]) => parseFrame(text))).toEqual(bad.map(([, message]) => ({ t: 'invalid', message })));
  });

  test('binary payloads survive base64 both ways for every length and byte value', () => {
    for (let len = 0; len < 300; len++) {
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = (i * 37 + len) & 255;
      const text = toBase64(bytes.buffer);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(new Uint8Array(fromBase64(text))).toEqual(bytes);
    }
    const p = encodePayload(new Uint8Array([0, 255, 16]).buffer);
    expect(p).toEqual({ d: 'AP8Q', b: 1 });
    expect(new Uint8Array(decodePayload(p.d, p.b) as ArrayBuffer)).toEqual(new Uint8Array([0, 255, 16]));
    expect(encodePayload('text')).toEqual({ d: 'text' });
    expect(decodePayload('text')).toBe('text');
  });

  test('an ArrayBuffer from another realm (a web-view, a vm) and typed-array views encode too', () => {
    const foreign = vm.runInNewContext('new Uint8Array([1, 2, 250]).buffer') as ArrayBuffer;
    expect(foreign instanceof ArrayBuffer).toBe(false);
    expect(encodePayload(foreign)).toEqual({ d: 'AQL6', b: 1 });
    expect(encodePayload(new Uint8Array([9, 1, 2, 250, 7]).subarray(1, 4))).toEqual({ d: 'AQL6', b: 1 });
  });

  test('base64 with line breaks or stray characters decodes what is in the alphabet (Alipay payloads)', () => {
    expect(Array.from(new Uint8Array(fromBase64('AQ\nL6')))).toEqual([1, 2, 250]);
  });

  test('the receiving rule: next delivers, old is a duplicate, ahead is a gap', () => {
    expect([classify(4, 3), classify(3, 3), classify(1, 3), classify(5, 3)]).toEqual(['deliver', 'duplicate', 'duplicate', 'gap']);
  });
  test('rooms on the wire: r on a msg, the volatile frame; encoded as PROTOCOL.md, parsed back to themselves', () => {
    const frames = [
      encodeMsg(3, 'i3', 'hi', undefined, 'order:42'),
      encodeMsg(4, 'i4', 'AAE=', 1, 'user'),
      encodeVolatile('typing'),
      encodeVolatile('AAE=', 1, '直播 #7'),
    ];
    expect(frames).toEqual([
      '{"t":"msg","s":3,"id":"i3","d":"hi","r":"order:42"}',
      '{"t":"msg","s":4,"id":"i4","d":"AAE=","b":1,"r":"user"}',
      '{"t":"volatile","d":"typing"}',
      '{"t":"volatile","d":"AAE=","b":1,"r":"直播 #7"}',
    ]);
    expect(frames.map((f) => parseFrame(f))).toEqual(frames.map((f) => JSON.parse(f)));
  });

  test('a bad r or a bad volatile frame comes back invalid, naming what was wrong', () => {
    const room = '"r" must be a room name (1–200 characters, no control characters)';
    const bad: Array<[string, string]> = [
      ['{"t":"msg","s":1,"id":"a","d":"","r":""}', `msg ${room}`],
      ['{"t":"msg","s":1,"id":"a","d":"","r":7}', `msg ${room}`],
      ['{"t":"msg","s":1,"id":"a","d":"","r":null}', `msg ${room}`],
      [`{"t":"msg","s":1,"id":"a","d":"","r":"${'x'.repeat(201)}"}`, `msg ${room}`],
      ['{"t":"msg","s":1,"id":"a","d":"","r":"a\\u0000"}', `msg ${room}`],
      ['{"t":"volatile"}', 'volatile "d" must be a string'],
      ['{"t":"volatile","d":1}', 'volatile "d" must be a string'],
      ['{"t":"volatile","d":"%%%","b":1}', 'volatile "b" must be 1 with base64 in "d"'],
      ['{"t":"volatile","d":"","b":true}', 'volatile "b" must be 1 with base64 in "d"'],
      ['{"t":"volatile","d":"","r":"a\\nb"}', `volatile ${room}`],
    ];
    expect(bad.map(([text]) => parseFrame(text))).toEqual(bad.map(([, message]) => ({ t: 'invalid', message })));
  });

  test('room names: 1–200 characters of any script, no control characters', () => {
    const good = ['a', 'order:42', '直播 #7', 'user', '房'.repeat(200), '😀'.repeat(200), 'no-break\u00a0space'];
    const bad = ['', 'x'.repeat(201), 'a\nb', 'a\u0000', '\u001b[0m', 'del\u007f', 'c1\u0085', 'c1\u009f', 5, null, undefined, ['a']];
    expect(good.map(isRoomName)).toEqual(good.map(() => true));
    expect(bad.map(isRoomName)).toEqual(bad.map(() => false));
  });
});
