// The ABI torture guest. componentize-js maps WIT types to JS values the way
// jco does: u64/s64 are BigInt, char a one-code-point string, variants
// {tag, val}, enums strings, flags objects of booleans, option<T> T or
// undefined, result<T, E> returns T or throws E.

const id = (x) => x;

// An exported resource is a class; the instance is the resource's rep.
class Counter {
  #n;
  constructor(start) {
    this.#n = start;
  }
  inc(by) {
    this.#n = (this.#n + by) >>> 0; // u32 wraps, as in the other guests
    return this.#n;
  }
  get() {
    return this.#n;
  }
  static zero() {
    return new Counter(0);
  }
}

// A result<T, E> argument arrives as {tag: 'ok' | 'err', val}; returning the
// value means ok, throwing it means err.
function echoResult(x) {
  if (x.tag === 'err') throw x.val;
  return x.val;
}

export const types = {
  Counter,

  echoBool: id,
  echoU8: id,
  echoS8: id,
  echoU16: id,
  echoS16: id,
  echoU32: id,
  echoS32: id,
  echoU64: id,
  echoS64: id,
  echoF32: id,
  echoF64: id,
  echoChar: id,
  echoString: id,
  echoBytes: id,
  echoStrings: id,
  echoMatrix: id,
  echoPoint: id,
  echoLine: id,
  echoBig: id,
  echoTuple: id,
  echoOuter: id,
  echoInner: id,
  echoColor: id,
  echoOption: id,
  echoOptionOption: id,
  echoResult,
  echoResultNoOk: echoResult,
  echoResultBare: echoResult,
  echoSmall: id,
  echoMedium: id,
  echoLarge: id,

  nanF32: () => NaN,
  nanF64: () => NaN,
  negZeroF32: () => -0,
  negZeroF64: () => -0,
  rocket: () => '🚀',
  emptyString: () => '',
  unicodeString: () => 'Grüße — 你好 — 🚀',
  swap: (a, b) => [b, a],
  makeBig(seed) {
    return {
      a: seed & 0xff,
      b: BigInt(seed) * 1000000000000n,
      c: `big-${seed}`,
      d: [seed, seed + 1, seed + 2],
      e: seed % 2 === 0 ? undefined : `odd-${seed}`,
      f: 0.5,
      g: [true, '🚀'],
      h: { start: { x: -1, y: 2 }, end: { x: 3, y: -4 }, label: 'ß' },
    };
  },

  // Every parameter rendered (numbers with JS String()), joined by "|".
  manyParams(...params) {
    return params.map(String).join('|');
  },

  peek: (c) => c.get(),
  consume: (c) => c.get(),

  trap() {
    throw new Error('trap: requested by the caller');
  },
  spin() {
    for (;;) {}
  },
};

export function hello(name) {
  return `hello, ${name}!`;
}
