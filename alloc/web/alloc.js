// alloc.js: the verifier library of alloc, built by alloc/web/tools/build.mjs from
// alloc/web/src and alloc/web/vendor (see alloc/web/README.md). Do not edit: rebuild.
var alloc = (() => {
  var __defProp = Object.defineProperty;
  var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
  var __getOwnPropNames = Object.getOwnPropertyNames;
  var __hasOwnProp = Object.prototype.hasOwnProperty;
  var __defNormalProp = (obj, key, value) => key in obj ? __defProp(obj, key, { enumerable: true, configurable: true, writable: true, value }) : obj[key] = value;
  var __export = (target, all) => {
    for (var name in all)
      __defProp(target, name, { get: all[name], enumerable: true });
  };
  var __copyProps = (to, from, except, desc) => {
    if (from && typeof from === "object" || typeof from === "function") {
      for (let key of __getOwnPropNames(from))
        if (!__hasOwnProp.call(to, key) && key !== except)
          __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
    }
    return to;
  };
  var __toCommonJS = (mod2) => __copyProps(__defProp({}, "__esModule", { value: true }), mod2);
  var __publicField = (obj, key, value) => __defNormalProp(obj, typeof key !== "symbol" ? key + "" : key, value);

  // src/index.js
  var index_exports = {};
  __export(index_exports, {
    AllocError: () => AllocError,
    DocumentType: () => DocumentType,
    DuplicateError: () => DuplicateError,
    InputError: () => InputError,
    MAX_BLOCKS: () => MAX_BLOCKS,
    MAX_CHOICES: () => MAX_CHOICES,
    MAX_IDENTIFIER_LENGTH: () => MAX_IDENTIFIER_LENGTH,
    MAX_NAME_LENGTH: () => MAX_NAME_LENGTH,
    MAX_PASSPORT_LENGTH: () => MAX_PASSPORT_LENGTH,
    MAX_SECRET_SIZE: () => MAX_SECRET_SIZE,
    MIDDLE_DOT: () => MIDDLE_DOT,
    MIN_PASSPORT_LENGTH: () => MIN_PASSPORT_LENGTH,
    MIN_SECRET_SIZE: () => MIN_SECRET_SIZE,
    Mechanism: () => Mechanism,
    Multiples: () => Multiples,
    OPEN_BLOCK: () => OPEN_BLOCK,
    PYTHON_SPACE: () => PYTHON_SPACE,
    RulesError: () => RulesError,
    SALT_SIZE: () => SALT_SIZE,
    SENSITIVE_FIELDS: () => SENSITIVE_FIELDS,
    SPEC_VERSION: () => SPEC_VERSION,
    Tag: () => Tag,
    TieBreak: () => TieBreak,
    bytesEqual: () => bytesEqual,
    canonicalBytes: () => canonicalBytes,
    canonicalJson: () => canonicalJson,
    canonicalSourceValue: () => canonicalSourceValue,
    checkIdentifier: () => checkIdentifier,
    codePointLength: () => codePointLength,
    commitment: () => commitment,
    compareCodePoints: () => compareCodePoints,
    compareWithTranscript: () => compareWithTranscript,
    concatBytes: () => concatBytes,
    deriveSeed: () => deriveSeed,
    documentDigest: () => documentDigest,
    draw: () => draw,
    ed25519Verify: () => ed25519Verify,
    evaluatePolicy: () => evaluatePolicy,
    formatSalt: () => formatSalt,
    fromHex: () => fromHex,
    fromUtf8: () => fromUtf8,
    groupKindergartenTicket: () => groupKindergartenTicket,
    groupTicket: () => groupTicket,
    hasLoneSurrogate: () => hasLoneSurrogate,
    hmacSha256: () => hmacSha256,
    identityCommitment: () => identityCommitment,
    identityMessage: () => identityMessage,
    inclusionProof: () => inclusionProof,
    keyId: () => keyId,
    kindergartenTicket: () => kindergartenTicket,
    leafHash: () => leafHash,
    lookupKey: () => lookupKey,
    lookupPassword: () => lookupPassword,
    maskDocumentNumber: () => maskDocumentNumber,
    maskName: () => maskName,
    merkleRoot: () => merkleRoot,
    nodeHash: () => nodeHash,
    normaliseDocumentNumber: () => normaliseDocumentNumber,
    normaliseName: () => normaliseName,
    parseEnvelope: () => parseEnvelope,
    parseRecords: () => parseRecords,
    parseResultLine: () => parseResultLine,
    parseRules: () => parseRules,
    parseSalt: () => parseSalt,
    recordLeaf: () => recordLeaf,
    recordLine: () => recordLine,
    recordObject: () => recordObject,
    recordsRoot: () => recordsRoot,
    rerunDraw: () => rerunDraw,
    resultLeaf: () => resultLeaf,
    resultLine: () => resultLine,
    resultsRoot: () => resultsRoot,
    rootFromInclusionProof: () => rootFromInclusionProof,
    rootOfHashes: () => rootOfHashes,
    rulesDigest: () => rulesDigest,
    rulesJson: () => rulesJson,
    scrypt: () => scrypt2,
    seedInput: () => seedInput,
    sha256: () => sha2562,
    sha512: () => sha5122,
    splitLines: () => splitLines,
    taggedHash: () => taggedHash,
    taggedMessage: () => taggedMessage,
    ticket: () => ticket,
    ticketMaker: () => ticketMaker,
    toHex: () => toHex,
    utf8: () => utf8,
    verifyInclusion: () => verifyInclusion
  });

  // src/errors.js
  var SENSITIVE_FIELDS = /* @__PURE__ */ new Set(["name", "document_number", "guardian_contact", "salt"]);
  var AllocError = class extends Error {
    /**
     * @param {string} problem what is wrong, as a complete sentence
     * @param {{field?: string, value?: unknown, row?: number, source?: string, hint?: string}} [where]
     */
    constructor(problem, { field, value, row, source, hint } = {}) {
      const sensitive = field !== void 0 && SENSITIVE_FIELDS.has(field);
      const parts = [];
      if (source !== void 0) parts.push(source);
      if (row !== void 0) parts.push(`row ${row}`);
      if (field !== void 0) parts.push(`field '${field}'`);
      let text = problem;
      if (value !== void 0 && !sensitive) text += ` (value: ${JSON.stringify(value)})`;
      if (parts.length) text += ` [${parts.join(", ")}]`;
      if (hint !== void 0) text += `. ${hint}`;
      super(text);
      this.name = new.target.name;
      this.problem = problem;
      this.field = field;
      this.value = sensitive ? void 0 : value;
      this.row = row;
      this.source = source;
      this.hint = hint;
    }
  };
  var InputError = class extends AllocError {
  };
  var RulesError = class extends AllocError {
  };
  var DuplicateError = class extends InputError {
  };

  // src/bytes.js
  var encoder = new TextEncoder();
  var decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  function utf8(text) {
    return encoder.encode(text);
  }
  function fromUtf8(bytes, field = "text") {
    try {
      return decoder.decode(bytes);
    } catch (cause) {
      throw new InputError("The bytes are not valid UTF-8.", { field, hint: "Use the file exactly as published." });
    }
  }
  var HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
  function toHex(bytes) {
    let out = "";
    for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
    return out;
  }
  var HEX_RE = /^(?:[0-9a-f]{2})*$/;
  function fromHex(text, { field = "hex", length } = {}) {
    if (typeof text !== "string" || !HEX_RE.test(text)) {
      throw new InputError("The value is not lower-case hexadecimal.", {
        field,
        hint: "Write bytes as pairs of the digits 0-9 and a-f."
      });
    }
    if (length !== void 0 && text.length !== 2 * length) {
      throw new InputError(`The value must be ${length} bytes (${2 * length} hex digits), not ${text.length / 2}.`, {
        field
      });
    }
    const out = new Uint8Array(text.length / 2);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(2 * i, 2), 16);
    return out;
  }
  function concatBytes(...parts) {
    let size = 0;
    for (const p of parts) size += p.length;
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
  function bytesEqual(a, b) {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function compareCodePoints(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i);
      let y = b.charCodeAt(i);
      if (x !== y) {
        if (x >= 55296 && y >= 55296) {
          x = x >= 57344 ? x - 2048 : x + 8192;
          y = y >= 57344 ? y - 2048 : y + 8192;
        }
        return x - y;
      }
    }
    return a.length - b.length;
  }
  function codePointLength(text) {
    let n = text.length;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 55296 && c <= 56319 && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 56320 && d <= 57343) {
          n--;
          i++;
        }
      }
    }
    return n;
  }
  function hasLoneSurrogate(text) {
    return /\p{Cs}/u.test(text);
  }
  var PYTHON_SPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

  // vendor/noble-hashes/_u64.js
  var U32_MASK64 = /* @__PURE__ */ (() => BigInt(2 ** 32 - 1))();
  var _32n = /* @__PURE__ */ BigInt(32);
  function fromBig(n, le = false) {
    if (le)
      return { h: Number(n & U32_MASK64), l: Number(n >> _32n & U32_MASK64) };
    return { h: Number(n >> _32n & U32_MASK64) | 0, l: Number(n & U32_MASK64) | 0 };
  }
  function split(lst, le = false) {
    const len = lst.length;
    let Ah = new Uint32Array(len);
    let Al = new Uint32Array(len);
    for (let i = 0; i < len; i++) {
      const { h, l } = fromBig(lst[i], le);
      [Ah[i], Al[i]] = [h, l];
    }
    return [Ah, Al];
  }
  var fromNumH = (n) => n / 2 ** 32 | 0;
  var fromNumL = (n) => n >>> 0;
  function setU64FromNum(view, byteOffset, n, isLE2) {
    const h = fromNumH(n);
    const l = fromNumL(n);
    view.setUint32(byteOffset, isLE2 ? l : h, isLE2);
    view.setUint32(byteOffset + 4, isLE2 ? h : l, isLE2);
  }
  var shrSH = (h, _l, s) => h >>> s;
  var shrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrSH = (h, l, s) => h >>> s | l << 32 - s;
  var rotrSL = (h, l, s) => h << 32 - s | l >>> s;
  var rotrBH = (h, l, s) => h << 64 - s | l >>> s - 32;
  var rotrBL = (h, l, s) => h >>> s - 32 | l << 64 - s;
  function add(Ah, Al, Bh, Bl) {
    const l = (Al >>> 0) + (Bl >>> 0);
    return { h: Ah + Bh + (l / 2 ** 32 | 0) | 0, l: l | 0 };
  }
  var add3L = (Al, Bl, Cl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0);
  var add3H = (low, Ah, Bh, Ch) => Ah + Bh + Ch + (low / 2 ** 32 | 0) | 0;
  var add4L = (Al, Bl, Cl, Dl) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0);
  var add4H = (low, Ah, Bh, Ch, Dh) => Ah + Bh + Ch + Dh + (low / 2 ** 32 | 0) | 0;
  var add5L = (Al, Bl, Cl, Dl, El) => (Al >>> 0) + (Bl >>> 0) + (Cl >>> 0) + (Dl >>> 0) + (El >>> 0);
  var add5H = (low, Ah, Bh, Ch, Dh, Eh) => Ah + Bh + Ch + Dh + Eh + (low / 2 ** 32 | 0) | 0;

  // vendor/noble-hashes/utils.js
  function isBytes(a) {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && "BYTES_PER_ELEMENT" in a && a.BYTES_PER_ELEMENT === 1;
  }
  var atitle = (title) => title ? `"${title}" ` : "";
  function anumber(n, title = "") {
    if (typeof n !== "number")
      throw new TypeError(atitle(title) + "expected number, got " + typeof n);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(atitle(title) + "expected integer >= 0, got " + n);
    return n;
  }
  function abytes(value, length, title = "") {
    if (isBytes(value) && (length === void 0 || value.length === length))
      return value;
    if (length !== void 0)
      anumber(length, "length");
    const bytes = isBytes(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = atitle(title) + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  }
  function ahash(h) {
    if (typeof h !== "function" || typeof h.create !== "function")
      throw new TypeError("expected hash wrapped by utils.createHasher");
    anumber(h.outputLen);
    anumber(h.blockLen);
    if (h.outputLen < 1 || h.blockLen < 1)
      throw new Error("hash blockLen / outputLen must be >= 1");
  }
  var aobject = (value, label) => {
    if (value === null || typeof value !== "object" || Array.isArray(value))
      throw new TypeError((label === "object" ? "" : `"${label}" `) + "expected object, got type=" + typeof value);
  };
  var aopts = (value, label) => {
    aobject(value, label);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(`"${label}" expected plain object`);
    if (Object.hasOwn(value, "__proto__"))
      throw new TypeError(`"${label}.__proto__" is not allowed`);
  };
  function aexists(instance, checkFinished = true) {
    if (instance.destroyed)
      throw new Error("hash was destroyed");
    if (checkFinished && instance.finished)
      throw new Error("digest() was already called");
  }
  function aoutput(out, instance) {
    abytes(out, void 0, "output");
    const min = instance.outputLen;
    if (!(out.length >= min)) {
      throw new RangeError('"output" expected length >= ' + min);
    }
  }
  function u32(arr) {
    return new Uint32Array(arr.buffer, arr.byteOffset, Math.floor(arr.byteLength / 4));
  }
  function clean(...arrays) {
    for (let i = 0; i < arrays.length; i++) {
      arrays[i].fill(0);
    }
  }
  function createView(arr) {
    return new DataView(arr.buffer, arr.byteOffset, arr.byteLength);
  }
  function rotr(word, shift) {
    return word << 32 - shift | word >>> shift;
  }
  function rotl(word, shift) {
    return word << shift | word >>> 32 - shift >>> 0;
  }
  var isLE = /* @__PURE__ */ (() => new Uint8Array(new Uint32Array([287454020]).buffer)[0] === 68)();
  function byteSwap(word) {
    return word << 24 & 4278190080 | word << 8 & 16711680 | word >>> 8 & 65280 | word >>> 24 & 255;
  }
  function byteSwap32(arr) {
    for (let i = 0; i < arr.length; i++) {
      arr[i] = byteSwap(arr[i]);
    }
    return arr;
  }
  var swap32IfBE = isLE ? (u) => u : byteSwap32;
  function utf8ToBytes(str) {
    if (typeof str !== "string")
      throw new TypeError("string expected");
    const encoded = new TextEncoder().encode(str);
    try {
      return new Uint8Array(encoded);
    } finally {
      clean(encoded);
    }
  }
  function kdfInputToBytes(data, errorTitle = "") {
    if (typeof data === "string")
      return utf8ToBytes(data);
    return abytes(data, void 0, errorTitle);
  }
  function checkOpts(defaults, opts, title = "opts") {
    aopts(defaults, "defaults");
    if (opts !== void 0)
      aopts(opts, title);
    const merged = Object.assign(/* @__PURE__ */ Object.create(null), defaults, opts);
    return merged;
  }
  function createHasher(hashCons, info = {}) {
    if (typeof hashCons !== "function")
      throw new TypeError('"hashCons" expected function, got type=' + typeof hashCons);
    info = checkOpts({}, info, "info");
    const hashC = (msg, opts) => hashCons(opts).update(msg).digest();
    const tmp = hashCons(void 0);
    hashC.outputLen = tmp.outputLen;
    hashC.blockLen = tmp.blockLen;
    hashC.canXOF = tmp.canXOF;
    hashC.create = (opts) => hashCons(opts);
    Object.assign(hashC, info);
    return Object.freeze(hashC);
  }
  var oidNist = (suffix) => ({
    // Current NIST hashAlgs suffixes used here fit in one DER subidentifier octet.
    // Larger suffix values would need base-128 OID encoding and a different length byte.
    oid: Uint8Array.from([6, 9, 96, 134, 72, 1, 101, 3, 4, 2, suffix])
  });

  // vendor/noble-hashes/_md.js
  function Chi(a, b, c) {
    return a & b ^ ~a & c;
  }
  function Maj(a, b, c) {
    return a & b ^ a & c ^ b & c;
  }
  var HashMD = class {
    constructor(blockLen, outputLen, padOffset, isLE2) {
      __publicField(this, "blockLen");
      __publicField(this, "outputLen");
      __publicField(this, "canXOF", false);
      __publicField(this, "padOffset");
      __publicField(this, "isLE");
      // For partial updates less than block size
      __publicField(this, "buffer");
      __publicField(this, "view");
      __publicField(this, "finished", false);
      __publicField(this, "length", 0);
      __publicField(this, "pos", 0);
      __publicField(this, "destroyed", false);
      this.blockLen = blockLen;
      this.outputLen = outputLen;
      this.padOffset = padOffset;
      this.isLE = isLE2;
      this.buffer = new Uint8Array(blockLen);
      this.view = createView(this.buffer);
    }
    update(data) {
      aexists(this);
      abytes(data);
      const { view, buffer, blockLen } = this;
      const len = data.length;
      let processed = false;
      for (let pos = 0; pos < len; ) {
        const take = Math.min(blockLen - this.pos, len - pos);
        if (take === blockLen) {
          const dataView = createView(data);
          for (; blockLen <= len - pos; pos += blockLen)
            this.process(dataView, pos);
          processed = true;
          continue;
        }
        buffer.set(pos === 0 && take === len ? data : data.subarray(pos, pos + take), this.pos);
        this.pos += take;
        pos += take;
        if (this.pos === blockLen) {
          this.process(view, 0);
          this.pos = 0;
          processed = true;
        }
      }
      this.length += data.length;
      if (processed)
        this.roundClean();
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const { buffer, view, blockLen, isLE: isLE2 } = this;
      let { pos } = this;
      buffer[pos++] = 128;
      buffer.fill(0, pos);
      if (this.padOffset > blockLen - pos) {
        this.process(view, 0);
        buffer.fill(0);
      }
      setU64FromNum(view, blockLen - 8, this.length * 8, isLE2);
      this.process(view, 0);
      this.roundClean();
      const oview = out === buffer ? view : createView(out);
      const len = this.outputLen;
      const outLen = len / 4;
      const state = this.get();
      if (len % 4 || outLen > state.length)
        throw new Error("invalid outputLen");
      for (let i = 0; i < outLen; i++)
        oview.setUint32(4 * i, state[i], isLE2);
    }
    digest() {
      const { buffer, outputLen } = this;
      this.digestInto(buffer);
      const res = buffer.slice(0, outputLen);
      this.destroy();
      return res;
    }
    _cloneIntoMeta(to) {
      const { buffer, length, finished, destroyed, pos } = this;
      to.destroyed = destroyed;
      to.finished = finished;
      to.length = length;
      to.pos = pos;
      if (pos)
        to.buffer.set(buffer);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
  };
  var SHA256_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    3144134277,
    1013904242,
    2773480762,
    1359893119,
    2600822924,
    528734635,
    1541459225
  ]);
  var SHA512_IV = /* @__PURE__ */ Uint32Array.from([
    1779033703,
    4089235720,
    3144134277,
    2227873595,
    1013904242,
    4271175723,
    2773480762,
    1595750129,
    1359893119,
    2917565137,
    2600822924,
    725511199,
    528734635,
    4215389547,
    1541459225,
    327033209
  ]);

  // vendor/noble-hashes/sha2.js
  var SHA256_K = /* @__PURE__ */ Uint32Array.from([
    1116352408,
    1899447441,
    3049323471,
    3921009573,
    961987163,
    1508970993,
    2453635748,
    2870763221,
    3624381080,
    310598401,
    607225278,
    1426881987,
    1925078388,
    2162078206,
    2614888103,
    3248222580,
    3835390401,
    4022224774,
    264347078,
    604807628,
    770255983,
    1249150122,
    1555081692,
    1996064986,
    2554220882,
    2821834349,
    2952996808,
    3210313671,
    3336571891,
    3584528711,
    113926993,
    338241895,
    666307205,
    773529912,
    1294757372,
    1396182291,
    1695183700,
    1986661051,
    2177026350,
    2456956037,
    2730485921,
    2820302411,
    3259730800,
    3345764771,
    3516065817,
    3600352804,
    4094571909,
    275423344,
    430227734,
    506948616,
    659060556,
    883997877,
    958139571,
    1322822218,
    1537002063,
    1747873779,
    1955562222,
    2024104815,
    2227730452,
    2361852424,
    2428436474,
    2756734187,
    3204031479,
    3329325298
  ]);
  var SHA256_W = /* @__PURE__ */ new Uint32Array(64);
  var SHA2_32B = class extends HashMD {
    constructor(outputLen, IV) {
      super(64, outputLen, 8, false);
      // We cannot use array here since array allows indexing by variable
      // which means optimizer/compiler cannot use registers.
      // Numeric initializers matter: starting the fields as `undefined` changes
      // V8's field representation and makes sha256 3x slower (measured).
      __publicField(this, "A", 0);
      __publicField(this, "B", 0);
      __publicField(this, "C", 0);
      __publicField(this, "D", 0);
      __publicField(this, "E", 0);
      __publicField(this, "F", 0);
      __publicField(this, "G", 0);
      __publicField(this, "H", 0);
      this.A = IV[0] | 0;
      this.B = IV[1] | 0;
      this.C = IV[2] | 0;
      this.D = IV[3] | 0;
      this.E = IV[4] | 0;
      this.F = IV[5] | 0;
      this.G = IV[6] | 0;
      this.H = IV[7] | 0;
    }
    get() {
      const { A, B, C, D, E, F, G: G2, H } = this;
      return [A, B, C, D, E, F, G2, H];
    }
    // prettier-ignore
    set(A, B, C, D, E, F, G2, H) {
      this.A = A | 0;
      this.B = B | 0;
      this.C = C | 0;
      this.D = D | 0;
      this.E = E | 0;
      this.F = F | 0;
      this.G = G2 | 0;
      this.H = H | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4)
        SHA256_W[i] = view.getUint32(offset, false);
      for (let i = 16; i < 64; i++) {
        const W15 = SHA256_W[i - 15];
        const W2 = SHA256_W[i - 2];
        const s0 = rotr(W15, 7) ^ rotr(W15, 18) ^ W15 >>> 3;
        const s1 = rotr(W2, 17) ^ rotr(W2, 19) ^ W2 >>> 10;
        SHA256_W[i] = s1 + SHA256_W[i - 7] + s0 + SHA256_W[i - 16] | 0;
      }
      let { A, B, C, D, E, F, G: G2, H } = this;
      for (let i = 0; i < 64; i++) {
        const sigma1 = rotr(E, 6) ^ rotr(E, 11) ^ rotr(E, 25);
        const T1 = H + sigma1 + Chi(E, F, G2) + SHA256_K[i] + SHA256_W[i] | 0;
        const sigma0 = rotr(A, 2) ^ rotr(A, 13) ^ rotr(A, 22);
        const T2 = sigma0 + Maj(A, B, C) | 0;
        H = G2;
        G2 = F;
        F = E;
        E = D + T1 | 0;
        D = C;
        C = B;
        B = A;
        A = T1 + T2 | 0;
      }
      A = A + this.A | 0;
      B = B + this.B | 0;
      C = C + this.C | 0;
      D = D + this.D | 0;
      E = E + this.E | 0;
      F = F + this.F | 0;
      G2 = G2 + this.G | 0;
      H = H + this.H | 0;
      this.set(A, B, C, D, E, F, G2, H);
    }
    roundClean() {
      clean(SHA256_W);
    }
    destroy() {
      this.destroyed = true;
      this.set(0, 0, 0, 0, 0, 0, 0, 0);
      clean(this.buffer);
    }
  };
  var _SHA256 = class extends SHA2_32B {
    constructor() {
      super(32, SHA256_IV);
    }
  };
  var K512 = /* @__PURE__ */ (() => split([
    "0x428a2f98d728ae22",
    "0x7137449123ef65cd",
    "0xb5c0fbcfec4d3b2f",
    "0xe9b5dba58189dbbc",
    "0x3956c25bf348b538",
    "0x59f111f1b605d019",
    "0x923f82a4af194f9b",
    "0xab1c5ed5da6d8118",
    "0xd807aa98a3030242",
    "0x12835b0145706fbe",
    "0x243185be4ee4b28c",
    "0x550c7dc3d5ffb4e2",
    "0x72be5d74f27b896f",
    "0x80deb1fe3b1696b1",
    "0x9bdc06a725c71235",
    "0xc19bf174cf692694",
    "0xe49b69c19ef14ad2",
    "0xefbe4786384f25e3",
    "0x0fc19dc68b8cd5b5",
    "0x240ca1cc77ac9c65",
    "0x2de92c6f592b0275",
    "0x4a7484aa6ea6e483",
    "0x5cb0a9dcbd41fbd4",
    "0x76f988da831153b5",
    "0x983e5152ee66dfab",
    "0xa831c66d2db43210",
    "0xb00327c898fb213f",
    "0xbf597fc7beef0ee4",
    "0xc6e00bf33da88fc2",
    "0xd5a79147930aa725",
    "0x06ca6351e003826f",
    "0x142929670a0e6e70",
    "0x27b70a8546d22ffc",
    "0x2e1b21385c26c926",
    "0x4d2c6dfc5ac42aed",
    "0x53380d139d95b3df",
    "0x650a73548baf63de",
    "0x766a0abb3c77b2a8",
    "0x81c2c92e47edaee6",
    "0x92722c851482353b",
    "0xa2bfe8a14cf10364",
    "0xa81a664bbc423001",
    "0xc24b8b70d0f89791",
    "0xc76c51a30654be30",
    "0xd192e819d6ef5218",
    "0xd69906245565a910",
    "0xf40e35855771202a",
    "0x106aa07032bbd1b8",
    "0x19a4c116b8d2d0c8",
    "0x1e376c085141ab53",
    "0x2748774cdf8eeb99",
    "0x34b0bcb5e19b48a8",
    "0x391c0cb3c5c95a63",
    "0x4ed8aa4ae3418acb",
    "0x5b9cca4f7763e373",
    "0x682e6ff3d6b2b8a3",
    "0x748f82ee5defb2fc",
    "0x78a5636f43172f60",
    "0x84c87814a1f0ab72",
    "0x8cc702081a6439ec",
    "0x90befffa23631e28",
    "0xa4506cebde82bde9",
    "0xbef9a3f7b2c67915",
    "0xc67178f2e372532b",
    "0xca273eceea26619c",
    "0xd186b8c721c0c207",
    "0xeada7dd6cde0eb1e",
    "0xf57d4f7fee6ed178",
    "0x06f067aa72176fba",
    "0x0a637dc5a2c898a6",
    "0x113f9804bef90dae",
    "0x1b710b35131c471b",
    "0x28db77f523047d84",
    "0x32caab7b40c72493",
    "0x3c9ebe0a15c9bebc",
    "0x431d67c49c100d4c",
    "0x4cc5d4becb3e42b6",
    "0x597f299cfc657e2a",
    "0x5fcb6fab3ad6faec",
    "0x6c44198c4a475817"
  ].map((n) => BigInt(n))))();
  var SHA512_Kh = /* @__PURE__ */ (() => K512[0])();
  var SHA512_Kl = /* @__PURE__ */ (() => K512[1])();
  var SHA512_W_H = /* @__PURE__ */ new Uint32Array(80);
  var SHA512_W_L = /* @__PURE__ */ new Uint32Array(80);
  var SHA2_64B = class extends HashMD {
    constructor(outputLen, IV) {
      super(128, outputLen, 16, false);
      // We cannot use array here since array allows indexing by variable
      // which means optimizer/compiler cannot use registers.
      // h -- high 32 bits, l -- low 32 bits
      // Numeric initializers matter: starting the fields as `undefined` changes
      // V8's field representation and slows hashing down (measured on sha256).
      __publicField(this, "Ah", 0);
      __publicField(this, "Al", 0);
      __publicField(this, "Bh", 0);
      __publicField(this, "Bl", 0);
      __publicField(this, "Ch", 0);
      __publicField(this, "Cl", 0);
      __publicField(this, "Dh", 0);
      __publicField(this, "Dl", 0);
      __publicField(this, "Eh", 0);
      __publicField(this, "El", 0);
      __publicField(this, "Fh", 0);
      __publicField(this, "Fl", 0);
      __publicField(this, "Gh", 0);
      __publicField(this, "Gl", 0);
      __publicField(this, "Hh", 0);
      __publicField(this, "Hl", 0);
      this.Ah = IV[0] | 0;
      this.Al = IV[1] | 0;
      this.Bh = IV[2] | 0;
      this.Bl = IV[3] | 0;
      this.Ch = IV[4] | 0;
      this.Cl = IV[5] | 0;
      this.Dh = IV[6] | 0;
      this.Dl = IV[7] | 0;
      this.Eh = IV[8] | 0;
      this.El = IV[9] | 0;
      this.Fh = IV[10] | 0;
      this.Fl = IV[11] | 0;
      this.Gh = IV[12] | 0;
      this.Gl = IV[13] | 0;
      this.Hh = IV[14] | 0;
      this.Hl = IV[15] | 0;
    }
    // prettier-ignore
    get() {
      const { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      return [Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl];
    }
    // prettier-ignore
    set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl) {
      this.Ah = Ah | 0;
      this.Al = Al | 0;
      this.Bh = Bh | 0;
      this.Bl = Bl | 0;
      this.Ch = Ch | 0;
      this.Cl = Cl | 0;
      this.Dh = Dh | 0;
      this.Dl = Dl | 0;
      this.Eh = Eh | 0;
      this.El = El | 0;
      this.Fh = Fh | 0;
      this.Fl = Fl | 0;
      this.Gh = Gh | 0;
      this.Gl = Gl | 0;
      this.Hh = Hh | 0;
      this.Hl = Hl | 0;
    }
    _cloneInto(to) {
      (to ||= new this.constructor()).set(...this.get());
      return this._cloneIntoMeta(to);
    }
    process(view, offset) {
      for (let i = 0; i < 16; i++, offset += 4) {
        SHA512_W_H[i] = view.getUint32(offset);
        SHA512_W_L[i] = view.getUint32(offset += 4);
      }
      for (let i = 16; i < 80; i++) {
        const W15h = SHA512_W_H[i - 15] | 0;
        const W15l = SHA512_W_L[i - 15] | 0;
        const s0h = rotrSH(W15h, W15l, 1) ^ rotrSH(W15h, W15l, 8) ^ shrSH(W15h, W15l, 7);
        const s0l = rotrSL(W15h, W15l, 1) ^ rotrSL(W15h, W15l, 8) ^ shrSL(W15h, W15l, 7);
        const W2h = SHA512_W_H[i - 2] | 0;
        const W2l = SHA512_W_L[i - 2] | 0;
        const s1h = rotrSH(W2h, W2l, 19) ^ rotrBH(W2h, W2l, 61) ^ shrSH(W2h, W2l, 6);
        const s1l = rotrSL(W2h, W2l, 19) ^ rotrBL(W2h, W2l, 61) ^ shrSL(W2h, W2l, 6);
        const SUMl = add4L(s0l, s1l, SHA512_W_L[i - 7], SHA512_W_L[i - 16]);
        const SUMh = add4H(SUMl, s0h, s1h, SHA512_W_H[i - 7], SHA512_W_H[i - 16]);
        SHA512_W_H[i] = SUMh | 0;
        SHA512_W_L[i] = SUMl | 0;
      }
      let { Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl } = this;
      for (let i = 0; i < 80; i++) {
        const sigma1h = rotrSH(Eh, El, 14) ^ rotrSH(Eh, El, 18) ^ rotrBH(Eh, El, 41);
        const sigma1l = rotrSL(Eh, El, 14) ^ rotrSL(Eh, El, 18) ^ rotrBL(Eh, El, 41);
        const CHIh = Eh & Fh ^ ~Eh & Gh;
        const CHIl = El & Fl ^ ~El & Gl;
        const T1ll = add5L(Hl, sigma1l, CHIl, SHA512_Kl[i], SHA512_W_L[i]);
        const T1h = add5H(T1ll, Hh, sigma1h, CHIh, SHA512_Kh[i], SHA512_W_H[i]);
        const T1l = T1ll | 0;
        const sigma0h = rotrSH(Ah, Al, 28) ^ rotrBH(Ah, Al, 34) ^ rotrBH(Ah, Al, 39);
        const sigma0l = rotrSL(Ah, Al, 28) ^ rotrBL(Ah, Al, 34) ^ rotrBL(Ah, Al, 39);
        const MAJh = Ah & Bh ^ Ah & Ch ^ Bh & Ch;
        const MAJl = Al & Bl ^ Al & Cl ^ Bl & Cl;
        Hh = Gh | 0;
        Hl = Gl | 0;
        Gh = Fh | 0;
        Gl = Fl | 0;
        Fh = Eh | 0;
        Fl = El | 0;
        ({ h: Eh, l: El } = add(Dh | 0, Dl | 0, T1h | 0, T1l | 0));
        Dh = Ch | 0;
        Dl = Cl | 0;
        Ch = Bh | 0;
        Cl = Bl | 0;
        Bh = Ah | 0;
        Bl = Al | 0;
        const All = add3L(T1l, sigma0l, MAJl);
        Ah = add3H(All, T1h, sigma0h, MAJh);
        Al = All | 0;
      }
      ({ h: Ah, l: Al } = add(this.Ah | 0, this.Al | 0, Ah | 0, Al | 0));
      ({ h: Bh, l: Bl } = add(this.Bh | 0, this.Bl | 0, Bh | 0, Bl | 0));
      ({ h: Ch, l: Cl } = add(this.Ch | 0, this.Cl | 0, Ch | 0, Cl | 0));
      ({ h: Dh, l: Dl } = add(this.Dh | 0, this.Dl | 0, Dh | 0, Dl | 0));
      ({ h: Eh, l: El } = add(this.Eh | 0, this.El | 0, Eh | 0, El | 0));
      ({ h: Fh, l: Fl } = add(this.Fh | 0, this.Fl | 0, Fh | 0, Fl | 0));
      ({ h: Gh, l: Gl } = add(this.Gh | 0, this.Gl | 0, Gh | 0, Gl | 0));
      ({ h: Hh, l: Hl } = add(this.Hh | 0, this.Hl | 0, Hh | 0, Hl | 0));
      this.set(Ah, Al, Bh, Bl, Ch, Cl, Dh, Dl, Eh, El, Fh, Fl, Gh, Gl, Hh, Hl);
    }
    roundClean() {
      clean(SHA512_W_H, SHA512_W_L);
    }
    destroy() {
      this.destroyed = true;
      clean(this.buffer);
      this.set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }
  };
  var _SHA512 = class extends SHA2_64B {
    constructor() {
      super(64, SHA512_IV);
    }
  };
  var sha256 = /* @__PURE__ */ createHasher(
    () => new _SHA256(),
    /* @__PURE__ */ oidNist(1)
  );
  var sha512 = /* @__PURE__ */ createHasher(
    () => new _SHA512(),
    /* @__PURE__ */ oidNist(3)
  );

  // vendor/noble-hashes/hmac.js
  var _HMAC = class {
    constructor(hash, key) {
      __publicField(this, "oHash");
      __publicField(this, "iHash");
      __publicField(this, "blockLen");
      __publicField(this, "outputLen");
      __publicField(this, "canXOF", false);
      __publicField(this, "finished", false);
      __publicField(this, "destroyed", false);
      ahash(hash);
      abytes(key, void 0, "key");
      this.iHash = hash.create();
      if (typeof this.iHash.update !== "function")
        throw new Error("expected Hash instance");
      this.blockLen = this.iHash.blockLen;
      this.outputLen = this.iHash.outputLen;
      const blockLen = this.blockLen;
      const pad = new Uint8Array(blockLen);
      pad.set(key.length > blockLen ? hash.create().update(key).digest() : key);
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54;
      this.iHash.update(pad);
      this.oHash = hash.create();
      for (let i = 0; i < pad.length; i++)
        pad[i] ^= 54 ^ 92;
      this.oHash.update(pad);
      clean(pad);
    }
    update(buf) {
      aexists(this);
      this.iHash.update(buf);
      return this;
    }
    digestInto(out) {
      aexists(this);
      aoutput(out, this);
      this.finished = true;
      const buf = out.subarray(0, this.outputLen);
      this.iHash.digestInto(buf);
      this.oHash.update(buf);
      this.oHash.digestInto(buf);
      this.destroy();
    }
    digest() {
      const out = new Uint8Array(this.oHash.outputLen);
      this.digestInto(out);
      return out;
    }
    _cloneInto(to) {
      to ||= Object.create(Object.getPrototypeOf(this), {});
      const { oHash, iHash, finished, destroyed, blockLen, outputLen, canXOF } = this;
      to = to;
      to.finished = finished;
      to.destroyed = destroyed;
      to.blockLen = blockLen;
      to.outputLen = outputLen;
      to.canXOF = canXOF;
      to.oHash = oHash._cloneInto(to.oHash);
      to.iHash = iHash._cloneInto(to.iHash);
      return to;
    }
    clone() {
      return this._cloneInto();
    }
    destroy() {
      this.destroyed = true;
      this.oHash.destroy();
      this.iHash.destroy();
    }
  };
  var hmac = /* @__PURE__ */ (() => {
    const hmac_ = ((hash, key, message) => new _HMAC(hash, key).update(message).digest());
    hmac_.create = (hash, key) => new _HMAC(hash, key);
    return hmac_;
  })();

  // vendor/noble-hashes/pbkdf2.js
  function pbkdf2Init(hash, _password, _salt, _opts) {
    ahash(hash);
    const opts = checkOpts({ dkLen: 32, asyncTick: 10 }, _opts);
    const { c, dkLen, asyncTick } = opts;
    anumber(c, "c");
    anumber(dkLen, "dkLen");
    anumber(asyncTick, "asyncTick");
    if (c < 1)
      throw new Error('"c" (iterations) must be >= 1');
    if (dkLen < 1)
      throw new Error('"dkLen" must be >= 1');
    if (dkLen > (2 ** 32 - 1) * hash.outputLen)
      throw new Error("derived key too long");
    const p = kdfInputToBytes(_password, "password");
    try {
      const s = kdfInputToBytes(_salt, "salt");
      try {
        const DK = new Uint8Array(dkLen);
        const { iHash, oHash, outputLen } = hmac.create(hash, p);
        const u = new Uint8Array(outputLen);
        const eng = pbkdf2Engine(iHash, oHash, s, u);
        return { c, dkLen, asyncTick, DK, outputLen, eng };
      } finally {
        if (typeof _salt === "string")
          clean(s);
      }
    } finally {
      if (typeof _password === "string")
        clean(p);
    }
  }
  function pbkdf2Engine(iHash, oHash, salt, u) {
    const counter = new Uint8Array(4);
    const view = createView(counter);
    const salted = iHash._cloneInto().update(salt);
    const work = oHash._cloneInto();
    const iClone = iHash._cloneInto;
    const oClone = oHash._cloneInto;
    return {
      u1: (ti, Ti) => {
        view.setInt32(0, ti, false);
        salted._cloneInto(work).update(counter).digestInto(u);
        oHash._cloneInto(work).update(u).digestInto(u);
        Ti.set(u.subarray(0, Ti.length));
      },
      // Whole `F` inner loop for the sync variant: one optimized function owns the hot loop.
      rounds: (c, Ti) => {
        for (let ui = 1; ui < c; ui++) {
          iClone.call(iHash, work).update(u).digestInto(u);
          oClone.call(oHash, work).update(u).digestInto(u);
          for (let i = 0; i < Ti.length; i++)
            Ti[i] ^= u[i];
        }
      },
      output: (DK) => {
        iHash.destroy();
        oHash.destroy();
        salted.destroy();
        work.destroy();
        clean(u);
        return DK;
      }
    };
  }
  function pbkdf2(hash, password, salt, opts) {
    const { c, dkLen, DK, outputLen, eng } = pbkdf2Init(hash, password, salt, opts);
    for (let ti = 1, pos = 0; pos < dkLen; ti++, pos += outputLen) {
      const Ti = DK.subarray(pos, pos + outputLen);
      eng.u1(ti, Ti);
      eng.rounds(c, Ti);
    }
    return eng.output(DK);
  }

  // vendor/noble-hashes/scrypt.js
  function XorAndSalsa(prev, pi, input, ii, out, oi) {
    let y00 = prev[pi++] ^ input[ii++], y01 = prev[pi++] ^ input[ii++];
    let y02 = prev[pi++] ^ input[ii++], y03 = prev[pi++] ^ input[ii++];
    let y04 = prev[pi++] ^ input[ii++], y05 = prev[pi++] ^ input[ii++];
    let y06 = prev[pi++] ^ input[ii++], y07 = prev[pi++] ^ input[ii++];
    let y08 = prev[pi++] ^ input[ii++], y09 = prev[pi++] ^ input[ii++];
    let y10 = prev[pi++] ^ input[ii++], y11 = prev[pi++] ^ input[ii++];
    let y12 = prev[pi++] ^ input[ii++], y13 = prev[pi++] ^ input[ii++];
    let y14 = prev[pi++] ^ input[ii++], y15 = prev[pi++] ^ input[ii++];
    let x00 = y00, x01 = y01, x02 = y02, x03 = y03, x04 = y04, x05 = y05, x06 = y06, x07 = y07, x08 = y08, x09 = y09, x10 = y10, x11 = y11, x12 = y12, x13 = y13, x14 = y14, x15 = y15;
    for (let i = 0; i < 8; i += 2) {
      x04 ^= rotl(x00 + x12 | 0, 7);
      x08 ^= rotl(x04 + x00 | 0, 9);
      x12 ^= rotl(x08 + x04 | 0, 13);
      x00 ^= rotl(x12 + x08 | 0, 18);
      x09 ^= rotl(x05 + x01 | 0, 7);
      x13 ^= rotl(x09 + x05 | 0, 9);
      x01 ^= rotl(x13 + x09 | 0, 13);
      x05 ^= rotl(x01 + x13 | 0, 18);
      x14 ^= rotl(x10 + x06 | 0, 7);
      x02 ^= rotl(x14 + x10 | 0, 9);
      x06 ^= rotl(x02 + x14 | 0, 13);
      x10 ^= rotl(x06 + x02 | 0, 18);
      x03 ^= rotl(x15 + x11 | 0, 7);
      x07 ^= rotl(x03 + x15 | 0, 9);
      x11 ^= rotl(x07 + x03 | 0, 13);
      x15 ^= rotl(x11 + x07 | 0, 18);
      x01 ^= rotl(x00 + x03 | 0, 7);
      x02 ^= rotl(x01 + x00 | 0, 9);
      x03 ^= rotl(x02 + x01 | 0, 13);
      x00 ^= rotl(x03 + x02 | 0, 18);
      x06 ^= rotl(x05 + x04 | 0, 7);
      x07 ^= rotl(x06 + x05 | 0, 9);
      x04 ^= rotl(x07 + x06 | 0, 13);
      x05 ^= rotl(x04 + x07 | 0, 18);
      x11 ^= rotl(x10 + x09 | 0, 7);
      x08 ^= rotl(x11 + x10 | 0, 9);
      x09 ^= rotl(x08 + x11 | 0, 13);
      x10 ^= rotl(x09 + x08 | 0, 18);
      x12 ^= rotl(x15 + x14 | 0, 7);
      x13 ^= rotl(x12 + x15 | 0, 9);
      x14 ^= rotl(x13 + x12 | 0, 13);
      x15 ^= rotl(x14 + x13 | 0, 18);
    }
    out[oi++] = y00 + x00 | 0;
    out[oi++] = y01 + x01 | 0;
    out[oi++] = y02 + x02 | 0;
    out[oi++] = y03 + x03 | 0;
    out[oi++] = y04 + x04 | 0;
    out[oi++] = y05 + x05 | 0;
    out[oi++] = y06 + x06 | 0;
    out[oi++] = y07 + x07 | 0;
    out[oi++] = y08 + x08 | 0;
    out[oi++] = y09 + x09 | 0;
    out[oi++] = y10 + x10 | 0;
    out[oi++] = y11 + x11 | 0;
    out[oi++] = y12 + x12 | 0;
    out[oi++] = y13 + x13 | 0;
    out[oi++] = y14 + x14 | 0;
    out[oi++] = y15 + x15 | 0;
  }
  function BlockMix(input, ii, out, oi, r) {
    let head = oi + 0;
    let tail = oi + 16 * r;
    for (let i = 0; i < 16; i++)
      out[tail + i] = input[ii + (2 * r - 1) * 16 + i];
    for (let i = 0; i < r; i++, head += 16, ii += 16) {
      XorAndSalsa(out, tail, input, ii, out, head);
      if (i > 0)
        tail += 16;
      XorAndSalsa(out, head, input, ii += 16, out, tail);
    }
  }
  var SCRYPT_DEFAULT_MAXMEM = 128 * 8 * (2 ** 20 + 1 + 1);
  function scryptInit(password, salt, _opts) {
    const opts = checkOpts({
      dkLen: 32,
      asyncTick: 10,
      maxmem: SCRYPT_DEFAULT_MAXMEM
    }, _opts);
    const { N: N2, r, p, dkLen, asyncTick, maxmem, onProgress } = opts;
    anumber(N2, "N");
    anumber(r, "r");
    anumber(p, "p");
    anumber(dkLen, "dkLen");
    anumber(asyncTick, "asyncTick");
    anumber(maxmem, "maxmem");
    if (onProgress !== void 0 && typeof onProgress !== "function")
      throw new Error('"onProgress" must be a function');
    if (r < 1)
      throw new Error('"r" expected integer >= 1');
    const blockSize = 128 * r;
    const blockSize32 = blockSize / 4;
    const pow32 = Math.pow(2, 32);
    if (N2 <= 1 || (N2 & N2 - 1) !== 0 || N2 > pow32)
      throw new Error('"N" expected a power of 2, and 2^1 <= N <= 2^32');
    if (p < 1 || p > (pow32 - 1) * 32 / blockSize)
      throw new Error('"p" expected integer 1..((2^32 - 1) * 32) / (128 * r)');
    if (dkLen < 1 || dkLen > (pow32 - 1) * 32)
      throw new Error('"dkLen" expected integer 1..(2^32 - 1) * 32');
    const memUsed = blockSize * (N2 + p + 1);
    if (memUsed > maxmem)
      throw new Error('"maxmem" limit was hit: memUsed(128*r*(N+p+1))=' + memUsed + ", maxmem=" + maxmem);
    const B = pbkdf2(sha256, password, salt, { c: 1, dkLen: blockSize * p });
    const B32 = u32(B);
    const V = u32(new Uint8Array(blockSize * N2));
    const tmp = u32(new Uint8Array(blockSize));
    let blockMixCb = () => {
    };
    if (onProgress) {
      const totalBlockMix = 2 * N2 * p;
      const callbackPer = Math.max(Math.floor(totalBlockMix / 1e4), 1);
      let blockMixCnt = 0;
      blockMixCb = () => {
        blockMixCnt++;
        if (onProgress && (!(blockMixCnt % callbackPer) || blockMixCnt === totalBlockMix)) {
          try {
            onProgress(blockMixCnt / totalBlockMix);
          } catch (e) {
            clean(B, V, tmp);
            throw e;
          }
        }
      };
    }
    return { N: N2, r, p, dkLen, blockSize32, V, B32, B, tmp, blockMixCb, asyncTick };
  }
  function scryptOutput(password, dkLen, B, V, tmp) {
    const res = pbkdf2(sha256, password, B, { c: 1, dkLen });
    clean(B, V, tmp);
    return res;
  }
  function scrypt(password, salt, opts) {
    const { N: N2, r, p, dkLen, blockSize32, V, B32, B, tmp, blockMixCb } = scryptInit(password, salt, opts);
    swap32IfBE(B32);
    for (let pi = 0; pi < p; pi++) {
      const Pi = blockSize32 * pi;
      for (let i = 0; i < blockSize32; i++)
        V[i] = B32[Pi + i];
      for (let i = 0, pos = 0; i < N2 - 1; i++) {
        BlockMix(V, pos, V, pos += blockSize32, r);
        blockMixCb();
      }
      BlockMix(V, (N2 - 1) * blockSize32, B32, Pi, r);
      blockMixCb();
      for (let i = 0; i < N2; i++) {
        const j = (B32[Pi + blockSize32 - 16] & N2 - 1) >>> 0;
        for (let k = 0; k < blockSize32; k++)
          tmp[k] = B32[Pi + k] ^ V[j * blockSize32 + k];
        BlockMix(tmp, 0, B32, Pi, r);
        blockMixCb();
      }
    }
    swap32IfBE(B32);
    return scryptOutput(password, dkLen, B, V, tmp);
  }

  // vendor/noble-ed25519/index.js
  /*! noble-ed25519 - MIT License (c) 2019 Paul Miller (paulmillr.com) */
  var freeze = Object.freeze;
  var P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffedn;
  var N = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
  var _d = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n;
  var Gx = 0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51an;
  var Gy = 0x6666666666666666666666666666666666666666666666666666666666666658n;
  var _a = P - 1n;
  var ed25519_CURVE = freeze({
    p: P,
    n: N,
    h: 8n,
    a: _a,
    d: _d,
    Gx,
    Gy
  });
  var LEN = 32;
  var isBytes2 = (a) => {
    return a instanceof Uint8Array || ArrayBuffer.isView(a) && a.constructor.name === "Uint8Array" && a.BYTES_PER_ELEMENT === 1;
  };
  var abytes2 = (value, length, title = "") => {
    if (isBytes2(value) && (length === void 0 || value.length === length))
      return value;
    const bytes = isBytes2(value);
    const ofLen = length !== void 0 ? ` of length ${length}` : "";
    const got = bytes ? `length=${value.length}` : `type=${typeof value}`;
    const message = (title ? `"${title}" ` : "") + "expected Uint8Array" + ofLen + ", got " + got;
    if (!bytes)
      throw new TypeError(message);
    throw new RangeError(message);
  };
  var snapshotBytes = (value, title = "", length) => Uint8Array.from(abytes2(value, length, title));
  var padh = (n, pad) => n.toString(16).padStart(pad, "0");
  var bytesToHex = (bytes) => {
    let hex = "";
    for (const byte of abytes2(bytes))
      hex += padh(byte, 2);
    return hex;
  };
  var hexToBytes = (hex) => {
    const e = "hex invalid";
    if (typeof hex !== "string")
      throw new TypeError(e);
    if (hex.length % 2 || !/^[\da-f]*$/i.test(hex))
      throw new RangeError(e);
    const array = new Uint8Array(hex.length / 2);
    for (let ai = 0, hi = 0; ai < array.length; ai++, hi += 2) {
      const n1 = hex.charCodeAt(hi);
      const n2 = hex.charCodeAt(hi + 1);
      array[ai] = ((n1 & 15) + (n1 >> 6) * 9) * 16 + (n2 & 15) + (n2 >> 6) * 9;
    }
    return array;
  };
  var concatBytes2 = (...arrays) => {
    let sum = 0;
    for (const a of arrays)
      sum += abytes2(a).length;
    const res = new Uint8Array(sum);
    let pad = 0;
    for (const a of arrays) {
      res.set(a, pad);
      pad += a.length;
    }
    return res;
  };
  var arange = (n, min, max, msg = "bad number: out of range") => {
    if (typeof n !== "bigint")
      throw new TypeError(msg);
    if (min <= n && n < max)
      return n;
    throw new RangeError(msg);
  };
  var mod = (a, b = P) => (a %= b) >= 0n ? a : b + a;
  var P_MASK = (1n << 255n) - 1n;
  var modP = (num) => {
    if (num < 0n)
      throw new RangeError("negative coordinate");
    let r = (num >> 255n) * 19n + (num & P_MASK);
    r = (r >> 255n) * 19n + (r & P_MASK);
    return r % P;
  };
  var modN = (a) => mod(a, N);
  var invert = (number, modulo) => {
    if (number === 0n)
      throw new Error("invert: expected non-zero number");
    if (modulo <= 1n)
      throw new Error("invert: expected modulus > 1, got " + modulo);
    let a = mod(number, modulo);
    let b = modulo;
    let x = 0n, u = 1n;
    while (a !== 0n) {
      const q = b / a;
      const r = b - a * q;
      const m = x - u * q;
      b = a, a = r, x = u, u = m;
    }
    const gcd = b;
    if (gcd !== 1n)
      throw new Error("invert: does not exist");
    return mod(x, modulo);
  };
  var _hash = (name) => {
    const fn = hashes[name];
    if (typeof fn !== "function")
      throw new Error("hashes." + name + " not set");
    return fn;
  };
  var callHash = (name, ...m) => abytes2(_hash(name)(concatBytes2(...m)), 64, "digest");
  var apoint = (p) => {
    if (p instanceof Point)
      return p;
    throw new TypeError("Point expected");
  };
  var B256 = 2n ** 256n;
  var _Point = class _Point {
    // Constructor only bounds-checks and freezes XYZT coordinates; it does not prove the point is
    // on-curve or that T matches X*Y/Z.
    constructor(X, Y, Z, T) {
      __publicField(this, "X");
      __publicField(this, "Y");
      __publicField(this, "Z");
      __publicField(this, "T");
      const max = B256;
      this.X = arange(X, 0n, max);
      this.Y = arange(Y, 0n, max);
      this.Z = arange(Z, 1n, max);
      this.T = arange(T, 0n, max);
      freeze(this);
    }
    static CURVE() {
      return ed25519_CURVE;
    }
    static fromAffine(p) {
      return new _Point(p.x, p.y, 1n, modP(p.x * p.y));
    }
    /** RFC8032 5.1.3: Uint8Array to Point. */
    static fromBytes(bytes, zip215 = false) {
      const normed = snapshotBytes(bytes, "point", LEN);
      const lastByte = normed[31];
      normed[31] = lastByte & ~128;
      const y = bytesToNumberLE(normed);
      if (!zip215)
        arange(y, 0n, P);
      const y2 = modP(y * y);
      const u = mod(y2 - 1n);
      const v = modP(_d * y2 + 1n);
      let { isValid, value: x } = uvRatio(u, v);
      if (!isValid)
        throw new Error("bad point: y not sqrt");
      const isLastByteOdd = !!(lastByte & 128);
      if (!zip215 && x === 0n && isLastByteOdd)
        throw new Error("bad point: x==0, isLastByteOdd");
      if (isLastByteOdd !== !!(x & 1n))
        x = mod(-x);
      return new _Point(x, y, 1n, modP(x * y));
    }
    static fromHex(hex, zip215) {
      return _Point.fromBytes(hexToBytes(hex), zip215);
    }
    get x() {
      return this.toAffine().x;
    }
    get y() {
      return this.toAffine().y;
    }
    /** Checks if the point is valid and on-curve. */
    assertValidity() {
      const a = _a;
      const d = _d;
      const p = this;
      if (p.is0())
        throw new Error("bad point: ZERO");
      const { X, Y, Z, T } = p;
      const X2 = modP(X * X);
      const Y2 = modP(Y * Y);
      const Z2 = modP(Z * Z);
      const Z4 = modP(Z2 * Z2);
      const aX2 = modP(X2 * a);
      const left = modP(Z2 * (aX2 + Y2));
      const right = mod(Z4 + modP(d * modP(X2 * Y2)));
      if (left !== right)
        throw new Error("bad point: equation left != right (1)");
      const XY = modP(X * Y);
      const ZT = modP(Z * T);
      if (XY !== ZT)
        throw new Error("bad point: equation left != right (2)");
      return this;
    }
    /** Equality check: compare points P&Q. */
    equals(other) {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const { X: X2, Y: Y2, Z: Z2 } = apoint(other);
      return modP(X1 * Z2) === modP(X2 * Z1) && modP(Y1 * Z2) === modP(Y2 * Z1);
    }
    is0() {
      return this.equals(I);
    }
    /** Flip point over y coordinate. */
    negate() {
      return new _Point(mod(-this.X), this.Y, this.Z, mod(-this.T));
    }
    /** Point doubling. Complete formula. Cost: `4M + 4S + 1*a + 6add + 1*2`. */
    double() {
      const { X: X1, Y: Y1, Z: Z1 } = this;
      const a = _a;
      const A = modP(X1 * X1);
      const B = modP(Y1 * Y1);
      const C = modP(2n * Z1 * Z1);
      const D = modP(a * A);
      const x1y1 = mod(X1 + Y1);
      const E = mod(modP(x1y1 * x1y1) - A - B);
      const G2 = mod(D + B);
      const F = mod(G2 - C);
      const H = mod(D - B);
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    /** Point addition. Complete formula. Cost: `9M + 1*a + 1*d + 7add`. */
    add(other) {
      const { X: X1, Y: Y1, Z: Z1, T: T1 } = this;
      const { X: X2, Y: Y2, Z: Z2, T: T2 } = apoint(other);
      const a = _a;
      const d = _d;
      const A = modP(X1 * X2);
      const B = modP(Y1 * Y2);
      const C = modP(modP(T1 * d) * T2);
      const D = modP(Z1 * Z2);
      const E = mod(modP(mod(X1 + Y1) * mod(X2 + Y2)) - A - B);
      const F = mod(D - C);
      const G2 = mod(D + C);
      const H = mod(B - modP(a * A));
      const X3 = modP(E * F);
      const Y3 = modP(G2 * H);
      const T3 = modP(E * H);
      const Z3 = modP(F * G2);
      return new _Point(X3, Y3, Z3, T3);
    }
    subtract(other) {
      return this.add(apoint(other).negate());
    }
    /**
     * Point-by-scalar multiplication. Safe mode requires `1 <= n < CURVE.n`.
     * Unsafe mode additionally permits `n = 0` and returns the identity point for that case.
     * Uses {@link wNAF} for base point.
     * Uses fake point to mitigate side-channel leakage.
     * @param n - scalar by which point is multiplied
     * @param safe - safe mode guards against timing attacks; unsafe mode is faster
     */
    multiply(n, safe = true) {
      if (!safe && n === 0n)
        return I;
      arange(n, 1n, N);
      if (!safe && this.is0())
        return I;
      if (n === 1n)
        return this;
      if (this.equals(G))
        return wNAF(n).p;
      let p = I;
      let f = G;
      let d = this;
      for (let i = 0; safe ? i < 256 : n > 0n; i++) {
        if (n & 1n)
          p = p.add(d);
        else if (safe)
          f = f.add(d);
        d = d.double();
        n >>= 1n;
      }
      return p;
    }
    multiplyUnsafe(scalar) {
      return this.multiply(scalar, false);
    }
    /** Convert point to 2d xy affine point. (X, Y, Z) ∋ (x=X/Z, y=Y/Z) */
    toAffine() {
      const { X, Y, Z } = this;
      if (this.equals(I))
        return { x: 0n, y: 1n };
      const iz = invert(Z, P);
      if (modP(Z * iz) !== 1n)
        throw new Error("invalid inverse");
      return { x: modP(X * iz), y: modP(Y * iz) };
    }
    toBytes() {
      const { x, y } = this.toAffine();
      const b = numTo32bLE(y);
      b[31] |= x & 1n ? 128 : 0;
      return b;
    }
    toHex() {
      return bytesToHex(this.toBytes());
    }
    clearCofactor() {
      return this.multiply(8n, false);
    }
    isSmallOrder() {
      return this.clearCofactor().is0();
    }
    isTorsionFree() {
      return this.multiply(N / 2n, false).double().add(this).is0();
    }
  };
  __publicField(_Point, "BASE");
  __publicField(_Point, "ZERO");
  var Point = _Point;
  var G = new Point(Gx, Gy, 1n, mod(Gx * Gy));
  var I = new Point(0n, 1n, 1n, 0n);
  Point.BASE = G;
  Point.ZERO = I;
  var numTo32bLE = (num) => hexToBytes(padh(arange(num, 0n, B256), 64)).reverse();
  var bytesToNumberLE = (b) => BigInt("0x" + bytesToHex(Uint8Array.from(abytes2(b)).reverse()));
  var pow2 = (x, power) => {
    let r = x;
    while (power-- > 0) {
      r = modP(r * r);
    }
    return r;
  };
  var pow_2_252_3 = (x) => {
    const x2 = modP(x * x);
    const b2 = modP(x2 * x);
    const b4 = modP(pow2(b2, 2) * b2);
    const b5 = modP(pow2(b4, 1) * x);
    const b10 = modP(pow2(b5, 5) * b5);
    const b20 = modP(pow2(b10, 10) * b10);
    const b40 = modP(pow2(b20, 20) * b20);
    const b80 = modP(pow2(b40, 40) * b40);
    const b160 = modP(pow2(b80, 80) * b80);
    const b240 = modP(pow2(b160, 80) * b80);
    const b250 = modP(pow2(b240, 10) * b10);
    return modP(pow2(b250, 2) * x);
  };
  var RM1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0n;
  var uvRatio = (u, v) => {
    const v3 = modP(v * modP(v * v));
    const v7 = modP(modP(v3 * v3) * v);
    const pow = pow_2_252_3(modP(u * v7));
    let x = modP(u * modP(v3 * pow));
    const vx2 = modP(v * modP(x * x));
    const root1 = x;
    const root2 = modP(x * RM1);
    const useRoot1 = vx2 === u;
    const useRoot2 = vx2 === mod(-u);
    const noRoot = vx2 === mod(-u * RM1);
    if (useRoot1)
      x = root1;
    if (useRoot2 || noRoot)
      x = root2;
    if ((mod(x) & 1n) === 1n)
      x = mod(-x);
    return { isValid: useRoot1 || useRoot2, value: x };
  };
  var modL_LE = (hash) => modN(bytesToNumberLE(hash));
  var hashFinishSync = (res) => res[1](callHash("sha512", res[0]));
  var getZip215 = (options) => {
    if (options === null || typeof options !== "object")
      throw new TypeError("expected valid options object");
    return options.zip215 ?? true;
  };
  var _verify = (sig, msg, publicKey, options) => {
    sig = abytes2(sig, 64, "signature");
    msg = abytes2(msg, void 0, "message");
    publicKey = abytes2(publicKey, LEN, "publicKey");
    const zip215 = getZip215(options);
    const r = sig.subarray(0, LEN);
    const s = bytesToNumberLE(sig.subarray(LEN, 64));
    let A, R, SB;
    let hashable = Uint8Array.of();
    let finished = false;
    try {
      A = Point.fromBytes(publicKey, zip215);
      R = Point.fromBytes(r, zip215);
      SB = G.multiply(s, false);
      hashable = concatBytes2(r, publicKey, msg);
      finished = true;
    } catch (error) {
    }
    const finish = (hashed) => {
      if (!finished)
        return false;
      if (!zip215 && A.isSmallOrder())
        return false;
      const k = modL_LE(hashed);
      const RkA = R.add(A.multiply(k, false));
      return RkA.subtract(SB).clearCofactor().is0();
    };
    return [hashable, finish];
  };
  var verify = (signature, message, publicKey, opts = {}) => hashFinishSync(_verify(signature, message, publicKey, opts));
  var hashes = {
    sha512Async: async (message) => {
      const s = globalThis?.crypto?.subtle;
      if (!s)
        throw new Error("crypto.subtle must be defined, consider polyfill");
      return new Uint8Array(await s.digest("SHA-512", concatBytes2(message)));
    },
    sha512: void 0
  };
  var precompute = () => {
    const points = [];
    let p = G;
    let b;
    for (let w = 0; w < 33; w++) {
      b = p;
      points.push(b);
      for (let i = 1; i < 128; i++) {
        b = b.add(p);
        points.push(b);
      }
      p = b.double();
    }
    return points;
  };
  var Gpows = void 0;
  var ctneg = (cnd, p) => {
    const n = p.negate();
    return cnd ? n : p;
  };
  var wNAF = (n) => {
    const comp = Gpows || (Gpows = precompute());
    let p = I;
    let f = G;
    for (let w = 0; w < 33; w++) {
      let wbits = Number(n & 255n);
      n >>= 8n;
      if (wbits > 128) {
        wbits -= 256;
        n += 1n;
      }
      const off = w * 128;
      const offP = off + Math.abs(wbits) - 1;
      const isOddW = w % 2 !== 0;
      const isNeg = wbits < 0;
      if (wbits === 0) {
        f = f.add(ctneg(isOddW, comp[off]));
      } else {
        p = p.add(ctneg(isNeg, comp[offP]));
      }
    }
    if (n !== 0n)
      throw new Error("invalid wnaf");
    return { p, f };
  };

  // src/crypto.js
  hashes.sha512 = sha512;
  function sha2562(...parts) {
    const h = sha256.create();
    for (const p of parts) h.update(p);
    return h.digest();
  }
  function sha5122(bytes) {
    return sha512(bytes);
  }
  function hmacSha256(key, message) {
    return hmac(sha256, key, message);
  }
  function hmacSha256With(key) {
    const keyed = hmac.create(sha256, key);
    return (message) => keyed.clone().update(message).digest();
  }
  function sha256With(prefix) {
    const base = sha256.create().update(prefix);
    return (...parts) => {
      const h = base.clone();
      for (const p of parts) h.update(p);
      return h.digest();
    };
  }
  function ed25519Verify(publicKey, message, signature) {
    try {
      return verify(signature, message, publicKey, { zip215: false });
    } catch {
      return false;
    }
  }
  function scrypt2(password, salt, { n, r, p }) {
    return scrypt(password, salt, { N: n, r, p, dkLen: 32, maxmem: 128 * r * (n + p + 2) + 1024 });
  }

  // src/canonical.js
  var SPEC_VERSION = 1;
  var MAX_IDENTIFIER_LENGTH = 128;
  var Tag = Object.freeze({
    COMMITMENT: "alloc/v1/commitment",
    SEED: "alloc/v1/seed",
    TICKET: "alloc/v1/ticket",
    TICKET_KINDERGARTEN: "alloc/v1/ticket-kindergarten",
    TICKET_GROUP: "alloc/v1/ticket-group",
    TICKET_GROUP_KINDERGARTEN: "alloc/v1/ticket-group-kindergarten",
    RECORD: "alloc/v1/record",
    RESULT: "alloc/v1/result",
    RULES: "alloc/v1/rules",
    ANNOUNCEMENT: "alloc/v1/announcement",
    TRANSCRIPT: "alloc/v1/transcript",
    IDENTITY: "alloc/v1/identity",
    LOOKUP: "alloc/v1/lookup"
  });
  var MAX_SAFE = Number.MAX_SAFE_INTEGER;
  function canonicalJson(value) {
    return serialise(value, "$");
  }
  function canonicalBytes(value) {
    return utf8(canonicalJson(value));
  }
  function serialise(value, path) {
    if (value === null) return "null";
    switch (typeof value) {
      case "boolean":
        return value ? "true" : "false";
      case "string":
        if (/\p{Cs}/u.test(value)) {
          throw new InputError("The text holds a lone surrogate and is not valid Unicode.", { field: path });
        }
        return JSON.stringify(value);
      case "number":
        if (!Number.isInteger(value) || Math.abs(value) > MAX_SAFE) {
          throw new InputError("Only integers within ±(2**53-1) may appear in a canonical document.", {
            field: path,
            value,
            hint: "Encode large or fractional numbers as strings."
          });
        }
        return Object.is(value, -0) ? "0" : String(value);
      case "object": {
        if (Array.isArray(value)) {
          return "[" + value.map((item, i) => serialise(item, `${path}[${i}]`)).join(",") + "]";
        }
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) break;
        const keys = Object.keys(value).sort();
        const items = keys.map((k) => {
          if (/\p{Cs}/u.test(k)) {
            throw new InputError("An object key holds a lone surrogate.", { field: path });
          }
          return JSON.stringify(k) + ":" + serialise(value[k], `${path}.${k}`);
        });
        return "{" + items.join(",") + "}";
      }
      default:
        break;
    }
    throw new InputError(`A value of type ${typeof value} is not allowed in a canonical document.`, {
      field: path,
      hint: "Use strings, integers, booleans, null, arrays and objects."
    });
  }
  var FORBIDDEN_RE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u;
  var PRINTABLE_ASCII_RE = /^[\x20-\x7e]+$/;
  var EDGE_SPACE_RE = new RegExp(`^[${PYTHON_SPACE}]|[${PYTHON_SPACE}]$`, "u");
  function checkIdentifier(value, field) {
    if (typeof value !== "string") {
      throw new InputError("The value must be text.", { field, value });
    }
    if (PRINTABLE_ASCII_RE.test(value) && value.length <= MAX_IDENTIFIER_LENGTH && value[0] !== " " && value[value.length - 1] !== " ") {
      return value;
    }
    if (!value) throw new InputError("The value must not be empty.", { field, value });
    if (/\p{Cs}/u.test(value)) {
      throw new InputError("The text is not valid Unicode (a lone surrogate).", { field });
    }
    if (codePointLength(value) > MAX_IDENTIFIER_LENGTH) {
      throw new InputError(`The value is longer than ${MAX_IDENTIFIER_LENGTH} characters.`, { field, value });
    }
    if (EDGE_SPACE_RE.test(value)) {
      throw new InputError("The value has leading or trailing white space.", { field, value, hint: "Strip it." });
    }
    const bad = value.match(FORBIDDEN_RE);
    if (bad) {
      const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new InputError(`The value contains the control or format character U+${code}.`, { field, value });
    }
    if (value.normalize("NFC") !== value) {
      throw new InputError("The value is not in Unicode NFC form.", {
        field,
        value,
        hint: "Normalise it with NFC before use."
      });
    }
    return value;
  }
  function taggedMessage(tag, ...fields) {
    const parts = [utf8(tag)];
    const zero = new Uint8Array(1);
    for (const f of fields) {
      parts.push(zero, typeof f === "string" ? utf8(f) : f);
    }
    return concatBytes(...parts);
  }
  function taggedHash(tag, ...fields) {
    return sha2562(taggedMessage(tag, ...fields));
  }

  // src/merkle.js
  var LEAF = Uint8Array.of(0);
  var NODE = Uint8Array.of(1);
  function leafHash(leaf) {
    return sha2562(LEAF, leaf);
  }
  function nodeHash(left, right) {
    return sha2562(NODE, left, right);
  }
  function merkleRoot(leaves, { prefix = new Uint8Array(0) } = {}) {
    if (leaves.length === 0) return sha2562();
    const hashLeaf = sha256With(concatBytes(LEAF, prefix));
    let level = leaves.map((leaf) => hashLeaf(leaf));
    return rootOfHashes(level);
  }
  function rootOfHashes(hashes2) {
    if (hashes2.length === 0) return sha2562();
    let level = hashes2;
    while (level.length > 1) {
      const next = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  }
  function inclusionProof(leaves, index, { prefix = new Uint8Array(0) } = {}) {
    if (!(Number.isInteger(index) && index >= 0 && index < leaves.length)) {
      throw new RangeError("The leaf index is outside the tree.");
    }
    const hashLeaf = sha256With(concatBytes(LEAF, prefix));
    let level = leaves.map((leaf) => hashLeaf(leaf));
    const proof = [];
    let at = index;
    while (level.length > 1) {
      const sibling = at ^ 1;
      if (sibling < level.length) proof.push(level[sibling]);
      const next = [];
      for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
      at >>= 1;
    }
    return proof;
  }
  function rootFromInclusionProof(leafHashValue, index, size, proof) {
    if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
    if (leafHashValue.length !== 32) return null;
    let fn = index;
    let sn = size - 1;
    let r = leafHashValue;
    for (const p of proof) {
      if (sn === 0 || p.length !== 32) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }
  function verifyInclusion(leaf, index, size, proof, root) {
    try {
      const computed = rootFromInclusionProof(leafHash(leaf), index, size, proof);
      return computed !== null && bytesEqual(computed, root);
    } catch {
      return false;
    }
  }

  // src/tickets.js
  function checkSeed(seed) {
    if (!(seed instanceof Uint8Array) || seed.length !== 32) {
      throw new InputError("The seed must be exactly 32 bytes.", {
        field: "seed",
        hint: "Use the seed from the transcript (64 hex digits)."
      });
    }
    return seed;
  }
  function ticket(seed, drawId, registrationNumber) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET, drawId, registrationNumber));
  }
  function kindergartenTicket(seed, drawId, registrationNumber, kindergartenId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    checkIdentifier(kindergartenId, "kindergarten");
    return hmacSha256(
      checkSeed(seed),
      taggedMessage(Tag.TICKET_KINDERGARTEN, drawId, registrationNumber, kindergartenId)
    );
  }
  function groupTicket(seed, drawId, groupId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(groupId, "group");
    return hmacSha256(checkSeed(seed), taggedMessage(Tag.TICKET_GROUP, drawId, groupId));
  }
  function groupKindergartenTicket(seed, drawId, groupId, kindergartenId) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(groupId, "group");
    checkIdentifier(kindergartenId, "kindergarten");
    return hmacSha256(
      checkSeed(seed),
      taggedMessage(Tag.TICKET_GROUP_KINDERGARTEN, drawId, groupId, kindergartenId)
    );
  }
  function ticketMaker(seed, drawId) {
    const mac = hmacSha256With(checkSeed(seed));
    const zero = "\0";
    const prefix = (tag) => tag + zero + drawId + zero;
    const child = prefix(Tag.TICKET);
    const childAt = prefix(Tag.TICKET_KINDERGARTEN);
    const group = prefix(Tag.TICKET_GROUP);
    const groupAt = prefix(Tag.TICKET_GROUP_KINDERGARTEN);
    return {
      child: (reg) => toHex(mac(utf8(child + reg))),
      childAt: (reg, kg) => toHex(mac(utf8(childAt + reg + zero + kg))),
      group: (gid) => toHex(mac(utf8(group + gid))),
      groupAt: (gid, kg) => toHex(mac(utf8(groupAt + gid + zero + kg)))
    };
  }

  // src/seed.js
  var MIN_SECRET_SIZE = 16;
  var MAX_SECRET_SIZE = 64;
  function commitment(drawId, party, secret) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(party, "party");
    if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_SIZE || secret.length > MAX_SECRET_SIZE) {
      throw new InputError(`A secret must be ${MIN_SECRET_SIZE} to ${MAX_SECRET_SIZE} bytes.`, {
        field: `party '${party}'.secret`
      });
    }
    return taggedHash(Tag.COMMITMENT, drawId, party, secret);
  }
  function canonicalSourceValue(kind, value, name = "source") {
    const field = `source '${name}'`;
    if (kind === "numbers") {
      if (!Array.isArray(value) || value.length === 0) {
        throw new InputError("Expected a non-empty list of integers.", { field, value });
      }
      for (const n of value) {
        if (!Number.isSafeInteger(n) || n < 0) {
          throw new InputError("Numbers must be non-negative integers.", { field, value: n });
        }
      }
      return [...value].sort((a, b) => a - b).map((n) => `${n}.`).join("") + "/";
    }
    if (kind === "text") {
      if (typeof value !== "string") throw new InputError("Expected text.", { field });
      const edges = new RegExp(`^[${PYTHON_SPACE}]+|[${PYTHON_SPACE}]+$`, "gu");
      const text = value.normalize("NFC").replace(edges, "");
      if (!text) throw new InputError("The text is empty.", { field });
      if (/[\p{Cc}\p{Cf}\p{Cs}]/u.test(text)) {
        throw new InputError("The text contains a control character.", { field });
      }
      return text;
    }
    if (kind === "hex") {
      let bytes = value;
      if (typeof value === "string") {
        const digits = value.replace(new RegExp(`[${PYTHON_SPACE}]+`, "gu"), "");
        if (digits.length % 2) {
          throw new InputError(`The value has an odd number of hex digits (${digits.length}).`, {
            field,
            hint: "A byte is two hex digits; check for a lost digit."
          });
        }
        if (!/^[0-9a-fA-F]*$/.test(digits)) {
          throw new InputError("The value is not hexadecimal.", { field, hint: "Use only 0-9 and a-f." });
        }
        bytes = Uint8Array.from(digits.match(/../g) ?? [], (pair) => parseInt(pair, 16));
      }
      if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
        throw new InputError("Expected non-empty bytes or hex.", { field });
      }
      return toHex(bytes);
    }
    throw new InputError("The source kind must be numbers, text or hex.", { field, value: kind });
  }
  function seedInput({ drawId, announcement, contributions, sources }) {
    checkIdentifier(drawId, "draw_id");
    if (typeof announcement !== "string" || !/^[0-9a-f]{64}$/.test(announcement)) {
      throw new InputError("The announcement digest must be 64 lower-case hex digits.", { field: "announcement" });
    }
    const byKey2 = (key) => (a, b) => compareCodePoints(a[key], b[key]);
    return {
      spec: SPEC_VERSION,
      draw_id: drawId,
      announcement,
      contributions: [...contributions].sort(byKey2("party")).map((c) => ({ ...c })),
      sources: [...sources].sort(byKey2("name")).map((s) => ({ ...s }))
    };
  }
  function deriveSeed(input) {
    return taggedHash(Tag.SEED, canonicalBytes(seedInput(input)));
  }

  // src/identity.js
  var SALT_SIZE = 16;
  var MAX_NAME_LENGTH = 128;
  var MIN_PASSPORT_LENGTH = 5;
  var MAX_PASSPORT_LENGTH = 32;
  var MIDDLE_DOT = "·";
  var DocumentType = Object.freeze({ RESIDENT_ID: "resident-id", PASSPORT: "passport" });
  var WHITE_SPACE = "	\n\v\f\r              \u2028\u2029  　";
  var WHITE_SPACE_SET = new Set(WHITE_SPACE);
  var DASH_OR_FORMAT_RE = /^[\p{Pd}\p{Cf}]$/u;
  function expectText(raw, field) {
    if (typeof raw !== "string") throw new InputError("The value must be text.", { field });
    if (hasLoneSurrogate(raw)) {
      throw new InputError("The text is not valid Unicode (a lone surrogate from a bad decode?).", {
        field,
        hint: "Re-read the source with its real encoding."
      });
    }
    return raw;
  }
  function documentType(value) {
    if (value === DocumentType.RESIDENT_ID || value === DocumentType.PASSPORT) return value;
    throw new InputError("The document type is unknown.", {
      field: "document_type",
      value,
      hint: "Use 'resident-id' or 'passport'."
    });
  }
  function asciiUpper(text) {
    return text.replace(/[a-z]+/g, (s) => s.toUpperCase());
  }
  function stripNumber(raw) {
    let out = "";
    for (const c of raw.normalize("NFKC")) {
      if (WHITE_SPACE_SET.has(c) || c === "−" || DASH_OR_FORMAT_RE.test(c)) continue;
      out += c;
    }
    return asciiUpper(out);
  }
  var NUMBER_MESSAGES = {
    empty: "The document number is empty.",
    passportCharacters: "A passport number may hold only the letters A-Z and digits.",
    passportLength: `A passport number must have ${MIN_PASSPORT_LENGTH} to ${MAX_PASSPORT_LENGTH} letters and digits.`,
    firstGeneration: "15-digit first-generation identity numbers are no longer valid.",
    length: "A resident identity number must have 18 characters.",
    characters: "A resident identity number must be 17 digits and a last digit or X.",
    permit: "Numbers starting with 8 are residence permits and must start 810000 (Hong Kong), 820000 (Macau) or 830000 (Taiwan).",
    check: "The check character does not match (ISO 7064 MOD 11-2).",
    date: "The date of birth (characters 7-14) is not a real date."
  };
  function numberError(key, hint) {
    return new InputError(NUMBER_MESSAGES[key], { field: "document_number", hint });
  }
  var PERMIT_PREFIXES = /* @__PURE__ */ new Set(["810000", "820000", "830000"]);
  function realDate(year, month, day) {
    if (year < 1 || month < 1 || month > 12 || day < 1) return false;
    const leap = year % 4 === 0 && year % 100 !== 0 || year % 400 === 0;
    const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
    return day <= days;
  }
  function normaliseDocumentNumber(type, raw) {
    const kind = documentType(type);
    const number = stripNumber(expectText(raw, "document_number"));
    if (!number) throw numberError("empty");
    if (kind === DocumentType.PASSPORT) {
      if (!/^[0-9A-Z]+$/.test(number)) {
        throw numberError("passportCharacters", "Type it as printed without brackets, e.g. A1234567 for A123456(7).");
      }
      if (number.length < MIN_PASSPORT_LENGTH || number.length > MAX_PASSPORT_LENGTH) {
        throw numberError("passportLength", "Check that the whole number was copied.");
      }
      return number;
    }
    if (/^[0-9]{15}$/.test(number)) {
      throw numberError("firstGeneration", "Use the 18-character number on the current card or household register.");
    }
    if (codePointLength(number) !== 18) throw numberError("length", "Check for missing or extra digits.");
    if (!/^[0-9]{17}[0-9X]$/.test(number)) {
      throw numberError("characters", "Only the last character may be the letter X; check for O typed for 0.");
    }
    const permit = number[0] === "9" || PERMIT_PREFIXES.has(number.slice(0, 6));
    if (number[0] === "8" && !permit) throw numberError("permit", "Check the first six digits.");
    let sum = 0;
    for (let i = 0; i < 18; i++) {
      const value = number[i] === "X" ? 10 : number.charCodeAt(i) - 48;
      sum = (sum * 2 + value) % 11;
    }
    if (sum !== 1) {
      throw numberError("check", "Check the last character and the date of birth; one of the 18 characters is mistyped.");
    }
    const year = Number(number.slice(6, 10));
    const month = Number(number.slice(10, 12));
    const day = Number(number.slice(12, 14));
    if (!realDate(year, month, day)) throw numberError("date", "Check the date of birth.");
    return number;
  }
  var MIDDLE_DOT_LOOKALIKES = new Set("•‧∙⋅・･⸱");
  var WHITE_SPACE_RUN_RE = new RegExp(`[${WHITE_SPACE}]+`, "gu");
  var SPACE_AROUND_DOT_RE = / ?\u00b7 ?/gu;
  var CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Cs}]$/u;
  function isHan(char) {
    if (char === void 0) return false;
    const c = char.codePointAt(0);
    return c === 12293 || c === 12295 || c >= 13312 && c <= 19903 || c >= 19968 && c <= 40959 || c >= 57344 && c <= 63743 || c >= 63744 && c <= 64255 || c >= 131072 && c <= 262143;
  }
  function fullStopsToDots(text) {
    const chars = Array.from(text);
    let out = "";
    let i = 0;
    while (i < chars.length) {
      const stop = chars[i] === " " ? i + 1 : i;
      if (chars[stop] === "." || chars[stop] === "。") {
        const end = chars[stop + 1] === " " ? stop + 1 : stop;
        if (isHan(chars[i - 1]) && isHan(chars[end + 1])) {
          out += MIDDLE_DOT;
          i = end + 1;
          continue;
        }
      }
      out += chars[i];
      i++;
    }
    return out;
  }
  function dropSpacesBetweenHan(text) {
    const chars = Array.from(text);
    let out = "";
    for (let i = 0; i < chars.length; i++) {
      if (chars[i] === " " && isHan(chars[i - 1]) && isHan(chars[i + 1])) continue;
      out += chars[i];
    }
    return out;
  }
  var NAME_MESSAGES = {
    control: "The name contains a control or invisible character.",
    empty: "The name is empty.",
    dot: "A middle dot (·) must stand between two parts of the name.",
    asterisk: "The name contains an asterisk (*).",
    length: `The name is longer than ${MAX_NAME_LENGTH} characters.`
  };
  function nameError(key, hint) {
    return new InputError(NAME_MESSAGES[key], { field: "name", hint });
  }
  function normaliseName(raw) {
    let text = expectText(raw, "name").normalize("NFC");
    for (const c of text) {
      if (!WHITE_SPACE_SET.has(c) && CONTROL_RE.test(c)) {
        throw nameError("control", "Retype the name; invisible characters often come from copied web pages.");
      }
    }
    let mapped = "";
    for (const c of text) {
      const code = c.codePointAt(0);
      if (code >= 65281 && code <= 65374) mapped += String.fromCharCode(code - 65248);
      else if (MIDDLE_DOT_LOOKALIKES.has(c)) mapped += MIDDLE_DOT;
      else mapped += c;
    }
    text = mapped.replace(WHITE_SPACE_RUN_RE, " ");
    text = text.replace(/^ +| +$/g, "");
    text = fullStopsToDots(text);
    text = text.replace(SPACE_AROUND_DOT_RE, MIDDLE_DOT);
    text = dropSpacesBetweenHan(text);
    text = text.toUpperCase().normalize("NFC");
    if (!text) throw nameError("empty");
    if (text.startsWith(MIDDLE_DOT) || text.endsWith(MIDDLE_DOT) || text.includes(MIDDLE_DOT + MIDDLE_DOT)) {
      throw nameError("dot", "Write it like 阿卜杜拉·买买提.");
    }
    if (text.includes("*")) throw nameError("asterisk", "Use the full name from the registration, not a masked list.");
    if (codePointLength(text) > MAX_NAME_LENGTH) throw nameError("length");
    return checkIdentifier(text, "name");
  }
  var COMPOUND_SURNAMES = new Set(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 南宫 西门 万俟 闻人 赫连 公羊 澹台 公冶 宗政 濮阳 淳于 单于 太叔 申屠 仲孙 鲜于 闾丘 司空 亓官 司寇 子车 颛孙 巫马 公西 漆雕 乐正 壤驷 公良 拓跋 夹谷 宰父 谷梁 段干 百里 东郭 南门 呼延 羊舌 微生 梁丘 左丘 东门 第五 贺兰 完颜 叱干 歐陽 司馬 諸葛 東方 尉遲 公孫 長孫 軒轅 鍾離 獨孤 南宮 西門 聞人 澹臺 濮陽 單于 仲孫 鮮于 閭丘 顓孫 樂正 壤駟 夾谷 穀梁 東郭 南門 東門 賀蘭 完顏".split(" ")
  );
  function maskName(name) {
    const text = normaliseName(name);
    const parts = text.split(/([ \u00b7])/u);
    if (parts.length > 1) {
      for (let i = 0; i < parts.length; i += 2) {
        const chars2 = Array.from(parts[i]);
        const first = i === 0;
        const last = i === parts.length - 1;
        const keep = first || last && chars2.length > 1 ? 1 : 0;
        parts[i] = chars2.slice(0, keep).join("") + "*".repeat(chars2.length - keep);
      }
      return parts.join("");
    }
    const chars = Array.from(text);
    if (chars.length <= 1) return "*".repeat(chars.length);
    if (chars.length === 2) return chars[0] + "*";
    const head = chars[0] + chars[1];
    if (COMPOUND_SURNAMES.has(head)) return head + "*".repeat(chars.length - 2);
    return chars[0] + "*".repeat(chars.length - 2) + chars[chars.length - 1];
  }
  function maskDocumentNumber(type, number) {
    const kind = documentType(type);
    const text = normaliseDocumentNumber(kind, number);
    const resident = kind === DocumentType.RESIDENT_ID;
    const keep = resident ? 6 : text.length >= 8 ? 2 : 1;
    const tail = resident ? 4 : keep;
    return text.slice(0, keep) + "*".repeat(text.length - keep - tail) + text.slice(text.length - tail);
  }
  var BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  var SALT_TEXT_LENGTH = 26;
  var SALT_LAST_CHARACTERS = "AEIMQUY4";
  function checkSalt(salt) {
    if (!(salt instanceof Uint8Array) || salt.length !== SALT_SIZE) {
      throw new InputError(`A salt must be exactly ${SALT_SIZE} bytes.`, { field: "salt" });
    }
    return salt;
  }
  function formatSalt(salt) {
    checkSalt(salt);
    let bits = 0;
    let value = 0;
    let text = "";
    for (const byte of salt) {
      value = value << 8 | byte;
      bits += 8;
      while (bits >= 5) {
        text += BASE32[value >>> bits - 5 & 31];
        bits -= 5;
      }
      value &= (1 << bits) - 1;
    }
    if (bits) text += BASE32[value << 5 - bits & 31];
    return text.match(/.{1,4}/g).join("-");
  }
  function parseSalt(text) {
    const cleaned = stripNumber(expectText(text, "salt")).replaceAll("0", "O").replaceAll("1", "I");
    if (cleaned.length !== SALT_TEXT_LENGTH || !/^[A-Z2-7]+$/.test(cleaned)) {
      throw new InputError(`A receipt salt is ${SALT_TEXT_LENGTH} characters from A-Z and 2-7.`, {
        field: "salt",
        hint: "Copy all seven groups from the receipt, like ABCD-EFGH-…-XY."
      });
    }
    if (!SALT_LAST_CHARACTERS.includes(cleaned[SALT_TEXT_LENGTH - 1])) {
      throw new InputError("The last character of a receipt salt is one of A E I M Q U Y 4.", {
        field: "salt",
        hint: "Check the last group."
      });
    }
    const salt = new Uint8Array(SALT_SIZE);
    let bits = 0;
    let value = 0;
    let at = 0;
    for (const c of cleaned) {
      value = value << 5 | BASE32.indexOf(c);
      bits += 5;
      if (bits >= 8) {
        salt[at++] = value >>> bits - 8 & 255;
        bits -= 8;
        value &= (1 << bits) - 1;
      }
    }
    return salt;
  }
  function identityMessage({ drawId, registrationNumber, documentType: type, number, name, salt }) {
    checkIdentifier(drawId, "draw_id");
    checkIdentifier(registrationNumber, "registration_number");
    return taggedMessage(Tag.IDENTITY, drawId, registrationNumber, documentType(type), number, name, checkSalt(salt));
  }
  function identityCommitment({ drawId, registrationNumber, documentType: type, documentNumber, name, salt }) {
    const kind = documentType(type);
    const number = normaliseDocumentNumber(kind, documentNumber);
    return taggedHash(
      Tag.IDENTITY,
      checkIdentifier(drawId, "draw_id"),
      checkIdentifier(registrationNumber, "registration_number"),
      kind,
      number,
      normaliseName(name),
      checkSalt(salt)
    );
  }
  function lookupPassword({ drawId, documentType: type, documentNumber, name }) {
    const kind = documentType(type);
    return taggedMessage(
      Tag.LOOKUP,
      checkIdentifier(drawId, "draw_id"),
      kind,
      normaliseDocumentNumber(kind, documentNumber),
      normaliseName(name)
    );
  }
  function lookupKey(params, { documentType: type, documentNumber, name }) {
    const password = lookupPassword({ drawId: params.draw_id, documentType: type, documentNumber, name });
    return scrypt2(password, params.salt, params);
  }

  // src/rules.js
  var OPEN_BLOCK = "open";
  var MAX_BLOCKS = 8;
  var MAX_CHOICES = 32;
  var Mechanism = Object.freeze({
    INDEPENDENT: "independent",
    FIRST_CHOICE_FIRST: "first-choice-first",
    DEFERRED_ACCEPTANCE: "deferred-acceptance"
  });
  var TieBreak = Object.freeze({ SINGLE: "single", PER_KINDERGARTEN: "per-kindergarten" });
  var Multiples = Object.freeze({
    SEPARATE: "separate",
    BUNDLE: "bundle",
    BUNDLE_OVER_PLAN: "bundle-over-plan",
    MERGE_AFTER: "merge-after"
  });
  function enumValue(kind, value, field) {
    const allowed = Object.values(kind);
    if (!allowed.includes(value)) {
      throw new RulesError(`The ${field} is unknown.`, {
        field,
        value,
        hint: `Use one of ${allowed.map((v) => `'${v}'`).join(", ")}.`
      });
    }
    return value;
  }
  function identifier(value, field) {
    try {
      return checkIdentifier(value, field);
    } catch (error) {
      throw new RulesError(error.problem, { field, value: error.value, hint: error.hint });
    }
  }
  function displayText(value, field) {
    if (typeof value !== "string") throw new RulesError("The value must be text.", { field, value });
    const bad = value.match(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u);
    if (bad) {
      const code = bad[0].codePointAt(0).toString(16).toUpperCase().padStart(4, "0");
      throw new RulesError(`The text contains the control or format character U+${code}.`, {
        field,
        value,
        hint: "Remove it; it can make the text display differently from what it says."
      });
    }
    return value;
  }
  function nonNegative(value, field) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RulesError("The value must be a non-negative integer.", { field, value });
    }
    return value;
  }
  function noDuplicates(values, field) {
    const seen = /* @__PURE__ */ new Set();
    for (const v of values) {
      if (seen.has(v)) throw new DuplicateError("The value appears twice.", { field, value: v });
      seen.add(v);
    }
  }
  function get(data, key, fallback) {
    return Object.prototype.hasOwnProperty.call(data, key) ? data[key] : fallback;
  }
  function required(data, key) {
    if (!Object.prototype.hasOwnProperty.call(data, key)) {
      throw new RulesError("A required field is missing.", {
        field: key,
        hint: "See docs/spec.md section 9.2 for the rules format."
      });
    }
    return data[key];
  }
  function object(value, field) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new RulesError("The value must be a JSON object.", { field });
    }
    return value;
  }
  function list(value, field) {
    if (!Array.isArray(value)) throw new RulesError("The value must be a list.", { field });
    return value;
  }
  function parseKindergarten(data) {
    object(data, "kindergartens");
    const id = identifier(required(data, "id"), "kindergarten.id");
    const where = `kindergarten '${id}'`;
    const name = displayText(get(data, "name", ""), `${where}.name`);
    const seats = required(data, "seats");
    if (!Number.isSafeInteger(seats) || seats <= 0) {
      throw new RulesError("The capacity must be a positive integer.", {
        field: `${where}.seats`,
        value: seats,
        hint: "Give the number of places offered (classes × class size)."
      });
    }
    const blocks = list(get(data, "blocks", []), `${where}.blocks`).map((b) => {
      object(b, `${where}.blocks`);
      const blockName = identifier(required(b, "name"), "block.name");
      const fact = identifier(required(b, "fact"), "block.fact");
      if (blockName === OPEN_BLOCK) {
        throw new RulesError(`'${OPEN_BLOCK}' names the unreserved seats and cannot be a block name.`, {
          field: "block.name",
          value: blockName
        });
      }
      const blockSeats = required(b, "seats");
      if (!Number.isSafeInteger(blockSeats) || blockSeats < 0) {
        throw new RulesError("Block seats must be a non-negative integer.", {
          field: `block '${blockName}'.seats`,
          value: blockSeats
        });
      }
      return Object.freeze({ name: blockName, seats: blockSeats, fact });
    });
    if (blocks.length > MAX_BLOCKS) {
      throw new RulesError(`A kindergarten has at most ${MAX_BLOCKS} seat blocks.`, {
        field: `${where}.blocks`,
        value: blocks.length
      });
    }
    noDuplicates(blocks.map((b) => b.name), `${where}.blocks`);
    const reserved = blocks.reduce((sum, b) => sum + b.seats, 0);
    if (reserved > seats) {
      throw new RulesError(`The seat blocks add up to ${reserved}, more than the capacity ${seats}.`, {
        field: `${where}.blocks`,
        hint: "Reduce the blocks or raise the capacity."
      });
    }
    return Object.freeze({ id, name, seats, blocks: Object.freeze(blocks), reserved });
  }
  function parsePhase(data) {
    object(data, "phases");
    const name = identifier(required(data, "name"), "phase.name");
    const tiers = get(data, "tiers", null);
    const blocks = get(data, "blocks", null);
    const fact = get(data, "fact", null);
    const choices = get(data, "choices", null);
    if (fact !== null) identifier(fact, `phase '${name}'.fact`);
    if (choices !== null && (!Number.isSafeInteger(choices) || choices < 1)) {
      throw new RulesError("The value must be a positive integer.", { field: `phase '${name}'.choices`, value: choices });
    }
    return Object.freeze({
      name,
      tiers: tiers === null ? null : Object.freeze([...list(tiers, `phase '${name}'.tiers`)]),
      fact,
      blocks: blocks === null ? null : Object.freeze([...list(blocks, `phase '${name}'.blocks`)]),
      choices
    });
  }
  function parseRules(data) {
    object(data, "rules");
    const drawId = identifier(required(data, "draw_id"), "draw_id");
    const rules = {
      draw_id: drawId,
      title: displayText(get(data, "title", ""), "title"),
      authority: displayText(get(data, "authority", ""), "authority"),
      mechanism: enumValue(Mechanism, get(data, "mechanism", Mechanism.DEFERRED_ACCEPTANCE), "mechanism"),
      tie_break: enumValue(TieBreak, get(data, "tie_break", TieBreak.SINGLE), "tie_break"),
      tiers: Object.freeze([...list(get(data, "tiers", []), "tiers")]),
      multiples: enumValue(Multiples, get(data, "multiples", Multiples.SEPARATE), "multiples"),
      // Python reads this field with bool(): any JSON value is accepted.
      merge_over_capacity: truthy(get(data, "merge_over_capacity", false)),
      waitlist_length: nonNegative(get(data, "waitlist_length", 0), "waitlist_length"),
      min_lottery_percent: nonNegative(get(data, "min_lottery_percent", 0), "min_lottery_percent"),
      phases: Object.freeze(list(get(data, "phases", []), "phases").map(parsePhase)),
      kindergartens: Object.freeze(list(required(data, "kindergartens"), "kindergartens").map(parseKindergarten))
    };
    if (rules.kindergartens.length === 0) {
      throw new RulesError("The rules list no kindergartens.", {
        field: "kindergartens",
        hint: "List at least one kindergarten."
      });
    }
    noDuplicates(rules.kindergartens.map((k) => k.id), "kindergartens.id");
    for (const t of rules.tiers) identifier(t, "tiers");
    noDuplicates(rules.tiers, "tiers");
    if (rules.min_lottery_percent > 100) {
      throw new RulesError("The value must be at most 100.", {
        field: "min_lottery_percent",
        value: rules.min_lottery_percent
      });
    }
    for (const kg of rules.kindergartens) {
      if (kg.reserved * 100 > kg.seats * (100 - rules.min_lottery_percent)) {
        throw new RulesError(
          `The blocks reserve ${kg.reserved} of ${kg.seats} seats, leaving less than ${rules.min_lottery_percent}% to the open lottery.`,
          { field: `kindergarten '${kg.id}'.blocks`, hint: "Shrink the blocks or lower min_lottery_percent." }
        );
      }
    }
    if (rules.multiples === Multiples.MERGE_AFTER && rules.mechanism === Mechanism.INDEPENDENT) {
      throw new RulesError(
        "merge-after needs one placement per child; the independent lottery lets parents choose among several wins instead.",
        { field: "multiples", value: rules.multiples, hint: "Use separate, bundle or bundle-over-plan." }
      );
    }
    const blockNames = new Set(rules.kindergartens.flatMap((k) => k.blocks.map((b) => b.name)));
    noDuplicates(rules.phases.map((p) => p.name), "phases.name");
    for (const phase of rules.phases) {
      for (const tier of phase.tiers ?? []) {
        if (!rules.tiers.includes(tier)) {
          throw new RulesError("The phase names a tier not declared in the rules.", {
            field: `phase '${phase.name}'.tiers`,
            value: tier
          });
        }
      }
      for (const block of phase.blocks ?? []) {
        if (!blockNames.has(block)) {
          throw new RulesError("The phase names a seat block no kindergarten has.", {
            field: `phase '${phase.name}'.blocks`,
            value: block
          });
        }
      }
    }
    return Object.freeze(rules);
  }
  function truthy(value) {
    if (Array.isArray(value)) return value.length > 0;
    if (value !== null && typeof value === "object") return Object.keys(value).length > 0;
    return Boolean(value);
  }
  function rulesJson(rules) {
    return {
      draw_id: rules.draw_id,
      title: rules.title,
      authority: rules.authority,
      mechanism: rules.mechanism,
      tie_break: rules.tie_break,
      tiers: [...rules.tiers],
      multiples: rules.multiples,
      merge_over_capacity: rules.merge_over_capacity,
      waitlist_length: rules.waitlist_length,
      min_lottery_percent: rules.min_lottery_percent,
      phases: rules.phases.map((p) => ({
        name: p.name,
        tiers: p.tiers === null ? null : [...p.tiers],
        fact: p.fact,
        blocks: p.blocks === null ? null : [...p.blocks],
        choices: p.choices
      })),
      kindergartens: rules.kindergartens.map((k) => ({
        id: k.id,
        name: k.name,
        seats: k.seats,
        blocks: k.blocks.map((b) => ({ name: b.name, seats: b.seats, fact: b.fact }))
      }))
    };
  }
  function rulesDigest(rules) {
    return taggedHash(Tag.RULES, rules.draw_id, canonicalBytes(rulesJson(rules)));
  }

  // src/records.js
  var RECORD_KEYS = ["choices", "facts", "group", "identity", "registration_number", "tier"];
  var FACT_KEYS = ["fact", "kindergarten"];
  function recordObject({ registration_number, choices, facts = [], group = null, identity = null, tier = null }) {
    const sorted = [...facts].sort(
      (a, b) => compareCodePoints(a.fact, b.fact) || compareCodePoints(a.kindergarten, b.kindergarten)
    );
    return {
      choices: [...choices],
      facts: sorted.map((f) => ({ fact: f.fact, kindergarten: f.kindergarten })),
      group,
      identity,
      registration_number,
      tier
    };
  }
  function recordLine(record) {
    return canonicalJson(recordObject(record));
  }
  function recordLeaf(drawId, line) {
    return taggedMessage(Tag.RECORD, drawId, typeof line === "string" ? utf8(line) : line);
  }
  function resultLeaf(drawId, line) {
    return taggedMessage(Tag.RESULT, drawId, typeof line === "string" ? utf8(line) : line);
  }
  function splitLines(file, source) {
    const text = typeof file === "string" ? file : fromUtf8(file, source);
    if (text === "") return [];
    if (!text.endsWith("\n")) {
      throw new InputError("The file does not end with a line break; it may have been cut short.", {
        source,
        hint: "Every line, the last included, ends in a line break (0x0A)."
      });
    }
    return text.slice(0, -1).split("\n");
  }
  function lineError(problem, row, hint) {
    return new InputError(problem, { row, source: "records", hint });
  }
  function exactKeys(value, keys) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    const own = Object.keys(value);
    return own.length === keys.length && keys.every((k) => Object.prototype.hasOwnProperty.call(value, k));
  }
  function optionalIdentifier(value, field, row) {
    if (value === null) return null;
    try {
      return checkIdentifier(value, field);
    } catch (error) {
      throw lineError(`${error.problem} (field '${field}')`, row);
    }
  }
  function parseRecords(file) {
    const lines = splitLines(file, "records");
    const records = [];
    let previous = null;
    let withIdentity = null;
    for (let i = 0; i < lines.length; i++) {
      const row = i + 1;
      const line = lines[i];
      let data;
      try {
        data = JSON.parse(line);
      } catch (cause) {
        throw lineError("The record line is not JSON.", row);
      }
      if (!exactKeys(data, RECORD_KEYS)) {
        throw lineError(`A record line has exactly the keys ${RECORD_KEYS.join(", ")}.`, row);
      }
      const reg = optionalIdentifier(data.registration_number, "registration_number", row);
      if (reg === null) throw lineError("The registration number is missing.", row);
      if (!Array.isArray(data.choices)) throw lineError("The choices are not a list.", row);
      const choices = data.choices.map((c) => optionalIdentifier(c, "choices", row) ?? missing(row));
      if (!Array.isArray(data.facts)) throw lineError("The facts are not a list.", row);
      const facts = data.facts.map((f) => {
        if (!exactKeys(f, FACT_KEYS)) throw lineError("A fact has exactly the keys fact and kindergarten.", row);
        return {
          fact: optionalIdentifier(f.fact, "facts.fact", row) ?? missing(row),
          kindergarten: optionalIdentifier(f.kindergarten, "facts.kindergarten", row) ?? missing(row)
        };
      });
      const group = optionalIdentifier(data.group, "group", row);
      const tier = optionalIdentifier(data.tier, "tier", row);
      const identity = data.identity;
      if (identity !== null && (typeof identity !== "string" || !/^[0-9a-f]{64}$/.test(identity))) {
        throw lineError("The identity commitment is not 64 lower-case hex digits.", row);
      }
      if (withIdentity === null) withIdentity = identity !== null;
      else if (withIdentity !== (identity !== null)) {
        throw lineError("Some records carry an identity commitment and some do not.", row);
      }
      const record = { registration_number: reg, choices, facts, group, identity, tier };
      if (recordLine(record) !== line) {
        throw lineError("The record line is not in RFC 8785 canonical form.", row, "Lines must be exactly as alloc writes them.");
      }
      if (previous !== null && compareCodePoints(reg, previous) <= 0) {
        throw lineError("The records are not in ascending registration-number order.", row);
      }
      previous = reg;
      records.push(record);
    }
    return { records, lines };
  }
  function missing(row) {
    throw lineError("A value in the record is null where text is required.", row);
  }
  function recordsRoot(drawId, lines) {
    return merkleRoot(lines.map(utf8), { prefix: recordLeaf(drawId, new Uint8Array(0)) });
  }
  function resultsRoot(drawId, lines) {
    return merkleRoot(lines.map(utf8), { prefix: resultLeaf(drawId, new Uint8Array(0)) });
  }
  function resultLine(result) {
    return canonicalJson(result);
  }
  function parseResultLine(line) {
    let data;
    try {
      data = JSON.parse(line);
    } catch {
      throw new InputError("The result line is not JSON.", { source: "results" });
    }
    if (data === null || typeof data !== "object" || Array.isArray(data) || !Object.prototype.hasOwnProperty.call(data, "registration_number")) {
      throw new InputError("The line is not a result line.", { source: "results" });
    }
    if (canonicalJson(data) !== line) {
      throw new InputError("The result line is not in RFC 8785 canonical form.", { source: "results" });
    }
    return data;
  }

  // src/engine.js
  var NONE = -1;
  var MOVED = -2;
  function rowError(reg, problem, field, value, hint, Kind = InputError) {
    return new Kind(`Applicant '${reg}' ${problem}`, { field, value, hint, source: "records" });
  }
  function prepare(rules, records, seed) {
    const kgs = rules.kindergartens;
    const K = kgs.length;
    const kgIndex = new Map(kgs.map((k, i) => [k.id, i]));
    const n = records.length;
    let C = 1;
    for (const r of records) C = Math.max(C, r.choices.length);
    const rowChoices = new Int32Array(n * C).fill(NONE);
    const rowWidth = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const r = records[i];
      r.choices.forEach((id, c) => {
        const k = kgIndex.get(id);
        if (k === void 0) {
          throw rowError(r.registration_number, "chooses a kindergarten the rules do not list.", `choice ${c + 1}`, id, "Use a kindergarten id from the rules.");
        }
        rowChoices[i * C + c] = k;
      });
      rowWidth[i] = r.choices.length;
    }
    for (let i = 0; i < n; i++) {
      if (rowWidth[i] === 0) {
        throw rowError(records[i].registration_number, "lists no kindergarten.", "choices", void 0, "Give at least one choice.");
      }
    }
    for (let i = 0; i < n; i++) {
      const seen = /* @__PURE__ */ new Set();
      for (const id of records[i].choices) {
        if (seen.has(id)) {
          throw rowError(records[i].registration_number, "lists the same kindergarten twice.", "choices", id, "Each kindergarten may appear once per child.", DuplicateError);
        }
        seen.add(id);
      }
    }
    const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
    const rowTier = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = records[i].tier;
      if (rules.tiers.length) {
        if (t === null || !tierRank.has(t)) {
          throw rowError(records[i].registration_number, "has a tier the rules do not declare.", "tier", t, `Use one of ${rules.tiers.join(", ")}.`);
        }
        rowTier[i] = tierRank.get(t);
      } else if (t !== null) {
        throw rowError(records[i].registration_number, "has a tier, but the rules declare none.", "tier", t, "Declare the tiers in the rules or leave the tier empty.");
      }
    }
    const rowFacts = new Array(n).fill(null);
    for (let i = 0; i < n; i++) {
      for (const f of records[i].facts) {
        const k = kgIndex.get(f.kindergarten);
        if (k === void 0) {
          throw rowError(records[i].registration_number, "holds a fact at a kindergarten the rules do not list.", "facts", f.kindergarten, "Use a kindergarten id from the rules.");
        }
        (rowFacts[i] ??= /* @__PURE__ */ new Set()).add(f.fact + "\0" + k);
      }
    }
    const tickets = ticketMaker(seed, rules.draw_id);
    const rowTicket = records.map((r) => tickets.child(r.registration_number));
    const perKg = rules.tie_break === TieBreak.PER_KINDERGARTEN;
    const rowChoiceTickets = perKg ? records.map((r) => r.choices.map((kg) => tickets.childAt(r.registration_number, kg))) : null;
    const groups = /* @__PURE__ */ new Map();
    for (let i = 0; i < n; i++) {
      const g = records[i].group;
      if (g !== null) {
        if (!groups.has(g)) groups.set(g, []);
        groups.get(g).push(i);
      }
    }
    const groupIds = [...groups.keys()].sort(compareCodePoints);
    for (const g of groupIds) {
      const rows = groups.get(g);
      if (rows.length < 2) {
        throw rowError(records[rows[0]].registration_number, "is the only member of its multiples group.", "group", g, "Register every sibling with the same group id, or clear the group.");
      }
      const lead = records[rows[0]].choices;
      for (const row of rows.slice(1)) {
        const mine = records[row].choices;
        if (mine.length !== lead.length || mine.some((id, c) => id !== lead[c])) {
          throw rowError(records[row].registration_number, "lists different choices from a sibling in its multiples group.", "group", g, `Siblings must list identical choices (compare '${records[rows[0]].registration_number}').`);
        }
      }
    }
    const bundle = rules.multiples === Multiples.BUNDLE || rules.multiples === Multiples.BUNDLE_OVER_PLAN;
    const unitMembers = [];
    const unitGroup = [];
    for (let i = 0; i < n; i++) {
      if (bundle && records[i].group !== null) continue;
      unitMembers.push([i]);
      unitGroup.push(null);
    }
    if (bundle) {
      for (const g of groupIds) {
        unitMembers.push(groups.get(g));
        unitGroup.push(g);
      }
    }
    const U = unitMembers.length;
    const weight = new Int32Array(U);
    const tier = new Int32Array(U);
    const choiceKg = new Int32Array(U * C).fill(NONE);
    const width = new Int32Array(U);
    const elig = new Uint32Array(U * C);
    const unitFacts = new Array(U).fill(null);
    const unitTicket = new Array(U);
    const unitChoiceTickets = perKg ? new Array(U) : null;
    const rowUnit = new Int32Array(n);
    for (let u = 0; u < U; u++) {
      const members = unitMembers[u];
      const head = members[0];
      weight[u] = members.length;
      width[u] = rowWidth[head];
      let worst = 0;
      let facts = rowFacts[head];
      for (const m of members) {
        rowUnit[m] = u;
        worst = Math.max(worst, rowTier[m]);
        if (m !== head) facts = facts === null || rowFacts[m] === null ? null : new Set([...facts].filter((f) => rowFacts[m].has(f)));
      }
      if (facts !== null && facts.size === 0) facts = null;
      tier[u] = worst;
      unitFacts[u] = facts;
      const g = unitGroup[u];
      unitTicket[u] = g === null ? rowTicket[head] : tickets.group(g);
      if (perKg) {
        unitChoiceTickets[u] = g === null ? rowChoiceTickets[head] : records[head].choices.map((kg) => tickets.groupAt(g, kg));
      }
      for (let c = 0; c < width[u]; c++) {
        const k = rowChoices[head * C + c];
        choiceKg[u * C + c] = k;
        if (facts !== null) {
          let bits = 0;
          kgs[k].blocks.forEach((b, j) => {
            if (facts.has(b.fact + "\0" + k)) bits |= 1 << j;
          });
          elig[u * C + c] = bits;
        }
      }
    }
    const unitOrder = Array.from({ length: U }, (_, u) => u).sort((a, b) => cmpHex(unitTicket[a], unitTicket[b]));
    for (let i = 1; i < U; i++) {
      if (unitTicket[unitOrder[i]] === unitTicket[unitOrder[i - 1]]) {
        throw new DuplicateError("Two lottery numbers are equal, which only a duplicate registration number can cause.", {
          field: "registration_number"
        });
      }
    }
    const key = new Float64Array(U * C);
    if (!perKg) {
      const rank = new Float64Array(U);
      unitOrder.forEach((u, i) => {
        rank[u] = i;
      });
      for (let u = 0; u < U; u++) {
        for (let c = 0; c < width[u]; c++) key[u * C + c] = tier[u] * U + rank[u];
      }
    } else {
      const cells = [];
      for (let u = 0; u < U; u++) for (let c = 0; c < width[u]; c++) cells.push(u * C + c);
      const ticketOf = (cell) => unitChoiceTickets[Math.floor(cell / C)][cell % C];
      cells.sort((a, b) => cmpHex(ticketOf(a), ticketOf(b)));
      const M = cells.length;
      cells.forEach((cell, i) => {
        key[cell] = tier[Math.floor(cell / C)] * M + i;
      });
    }
    return {
      n,
      K,
      C,
      U,
      kgs,
      weight,
      tier,
      choiceKg,
      width,
      elig,
      unitFacts,
      unitMembers,
      unitGroup,
      unitTicket,
      unitChoiceTickets,
      unitOrder,
      rowUnit,
      rowChoices,
      rowWidth,
      key
    };
  }
  function cmpHex(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function choose(P2, k, cells, seats, offered, overPlan) {
    const kg = P2.kgs[k];
    const nb = kg.blocks.length;
    const m = cells.length;
    const column = new Int32Array(m).fill(NONE);
    const over = new Uint8Array(m);
    const left = Int32Array.from(seats);
    const unusedCols = [];
    const unusedSeats = [];
    let unusedTotal = 0;
    for (let col = 0; col <= nb; col++) {
      if (offered !== null && !offered[col]) continue;
      const isOpen = col === nb;
      const own = seats[col];
      const available = own + unusedTotal;
      let used = 0;
      for (let i = 0; i < m; i++) {
        const room = available - used;
        if (room <= 0) break;
        if (column[i] !== NONE) continue;
        const cell = cells[i];
        if (!isOpen && !(P2.elig[cell] >>> col & 1)) continue;
        const w = P2.weight[Math.floor(cell / P2.C)];
        if (overPlan && isOpen) {
          column[i] = col;
          over[i] = w > room ? 1 : 0;
          used += w;
        } else if (w <= room) {
          column[i] = col;
          used += w;
        }
      }
      const ownUsed = Math.min(used, own);
      let borrowed = used - ownUsed;
      for (let j = 0; j < unusedCols.length && borrowed > 0; j++) {
        const take = Math.min(unusedSeats[j], borrowed);
        unusedSeats[j] -= take;
        unusedTotal -= take;
        borrowed -= take;
      }
      unusedCols.push(col);
      unusedSeats.push(own - ownUsed);
      unusedTotal += own - ownUsed;
    }
    for (let j = 0; j < unusedCols.length; j++) left[unusedCols[j]] = unusedSeats[j];
    return { column, over, left };
  }
  function byKey(P2) {
    const key = P2.key;
    return (a, b) => key[a] - key[b];
  }
  function independent(P2, allowed, pools, offered, overPlan, phase, state) {
    const buckets = Array.from({ length: P2.K }, () => []);
    for (let u = 0; u < P2.U; u++) {
      for (let c = 0; c < P2.width[u]; c++) {
        const cell = u * P2.C + c;
        if (allowed[cell]) buckets[P2.choiceKg[cell]].push(cell);
      }
    }
    const order = byKey(P2);
    for (let k = 0; k < P2.K; k++) {
      const cells = buckets[k];
      if (!cells.length) continue;
      cells.sort(order);
      const result = choose(P2, k, cells, pools[k], offered && offered[k], overPlan);
      pools[k] = result.left;
      for (let i = 0; i < cells.length; i++) {
        if (result.column[i] === NONE) continue;
        const u = Math.floor(cells[i] / P2.C);
        (state.wins[u] ??= []).push({ kg: k, pos: cells[i] % P2.C, column: result.column[i], phase, over: result.over[i] });
        state.won[u] = 1;
      }
    }
  }
  function place(state, u, k, pos, column, over, phase) {
    state.placedKg[u] = k;
    state.placedPos[u] = pos;
    state.placedColumn[u] = column;
    state.placedOver[u] = over;
    state.placedPhase[u] = phase;
  }
  function firstChoiceFirst(P2, allowed, pools, offered, overPlan, phase, state) {
    const order = byKey(P2);
    for (let c = 0; c < P2.C; c++) {
      const buckets = /* @__PURE__ */ new Map();
      for (let u = 0; u < P2.U; u++) {
        const cell = u * P2.C + c;
        if (!allowed[cell] || state.placedKg[u] !== NONE) continue;
        const k = P2.choiceKg[cell];
        if (!buckets.has(k)) buckets.set(k, []);
        buckets.get(k).push(cell);
      }
      for (const [k, cells] of buckets) {
        cells.sort(order);
        const result = choose(P2, k, cells, pools[k], offered && offered[k], overPlan);
        pools[k] = result.left;
        for (let i = 0; i < cells.length; i++) {
          if (result.column[i] !== NONE) place(state, Math.floor(cells[i] / P2.C), k, c, result.column[i], result.over[i], phase);
        }
      }
    }
  }
  function deferredAcceptance(P2, allowed, pools, offered, overPlan, phase, state) {
    const { U, C } = P2;
    const next = new Int32Array(U);
    const nextAllowed = (u, from) => {
      for (let c = from; c < P2.width[u]; c++) if (allowed[u * C + c]) return c;
      return C;
    };
    for (let u = 0; u < U; u++) next[u] = nextAllowed(u, 0);
    const held = new Uint8Array(U);
    const heldAt = Array.from({ length: P2.K }, () => []);
    const heldColumn = new Int32Array(U);
    const heldOver = new Uint8Array(U);
    const full = pools.map((p) => Int32Array.from(p));
    const order = byKey(P2);
    for (; ; ) {
      const proposals = /* @__PURE__ */ new Map();
      for (let u = 0; u < U; u++) {
        if (held[u] || next[u] >= C) continue;
        const cell = u * C + next[u];
        next[u] = nextAllowed(u, next[u] + 1);
        const k = P2.choiceKg[cell];
        if (!proposals.has(k)) proposals.set(k, []);
        proposals.get(k).push(cell);
      }
      if (proposals.size === 0) break;
      for (const [k, fresh] of proposals) {
        fresh.sort(order);
        const cells = mergeSorted(heldAt[k], fresh, P2.key);
        const result = choose(P2, k, cells, full[k], offered && offered[k], overPlan);
        pools[k] = result.left;
        const kept = [];
        for (let i = 0; i < cells.length; i++) {
          const u = Math.floor(cells[i] / C);
          if (result.column[i] === NONE) {
            held[u] = 0;
          } else {
            held[u] = 1;
            heldColumn[u] = result.column[i];
            heldOver[u] = result.over[i];
            kept.push(cells[i]);
          }
        }
        heldAt[k] = kept;
      }
    }
    for (let k = 0; k < P2.K; k++) {
      for (const cell of heldAt[k]) {
        const u = Math.floor(cell / C);
        place(state, u, k, cell % C, heldColumn[u], heldOver[u], phase);
      }
    }
  }
  function mergeSorted(a, b, key) {
    const out = new Array(a.length + b.length);
    let i = 0;
    let j = 0;
    let o = 0;
    while (i < a.length && j < b.length) out[o++] = key[a[i]] <= key[b[j]] ? a[i++] : b[j++];
    while (i < a.length) out[o++] = a[i++];
    while (j < b.length) out[o++] = b[j++];
    return out;
  }
  function run(rules, P2) {
    const { U, C } = P2;
    const state = {
      placedKg: new Int32Array(U).fill(NONE),
      placedPos: new Int32Array(U).fill(NONE),
      placedColumn: new Int32Array(U).fill(NONE),
      placedOver: new Uint8Array(U),
      placedPhase: new Int32Array(U).fill(NONE),
      wins: new Array(U),
      won: new Uint8Array(U),
      considered: new Uint8Array(U * C)
    };
    let pools = P2.kgs.map((kg) => Int32Array.from([...kg.blocks.map((b) => b.seats), kg.seats - kg.reserved]));
    const overPlan = rules.multiples === Multiples.BUNDLE_OVER_PLAN;
    const tierRank = new Map(rules.tiers.map((t, i) => [t, i]));
    const phases = rules.phases.length ? rules.phases : [null];
    const mechanism = {
      [Mechanism.INDEPENDENT]: independent,
      [Mechanism.FIRST_CHOICE_FIRST]: firstChoiceFirst,
      [Mechanism.DEFERRED_ACCEPTANCE]: deferredAcceptance
    }[rules.mechanism];
    phases.forEach((phase, p) => {
      const allowed = new Uint8Array(U * C);
      const tiers = phase && phase.tiers !== null ? new Set(phase.tiers.map((t) => tierRank.get(t))) : null;
      for (let u = 0; u < U; u++) {
        if (state.placedKg[u] !== NONE || state.won[u]) continue;
        if (tiers !== null && !tiers.has(P2.tier[u])) continue;
        const limit = phase && phase.choices !== null ? Math.min(phase.choices, P2.width[u]) : P2.width[u];
        for (let c = 0; c < limit; c++) {
          const cell = u * C + c;
          if (phase && phase.fact !== null) {
            const facts = P2.unitFacts[u];
            if (facts === null || !facts.has(phase.fact + "\0" + P2.choiceKg[cell])) continue;
          }
          allowed[cell] = 1;
          state.considered[cell] = 1;
        }
      }
      let offered = null;
      let phasePools = pools;
      if (phase && phase.blocks !== null) {
        const names = new Set(phase.blocks);
        offered = P2.kgs.map((kg) => [...kg.blocks.map((b) => names.has(b.name)), false]);
        phasePools = pools.map((seats, k) => seats.map((s, col) => offered[k][col] ? s : 0));
      } else {
        phasePools = pools.map((seats) => Int32Array.from(seats));
      }
      mechanism(P2, allowed, phasePools, offered, overPlan, phase ? p : NONE, state);
      pools = pools.map((seats, k) => seats.map((s, col) => offered === null || offered[k][col] ? phasePools[k][col] : s));
    });
    return state;
  }
  function draw(rules, records, seed) {
    const P2 = prepare(rules, records, seed);
    const state = run(rules, P2);
    const { n, C, K, kgs } = P2;
    const isIndependent = rules.mechanism === Mechanism.INDEPENDENT;
    const placed = new Int32Array(n).fill(NONE);
    const pos = new Int32Array(n).fill(NONE);
    const column = new Int32Array(n).fill(NONE);
    const phase = new Int32Array(n).fill(NONE);
    const over = new Uint8Array(n);
    const moved = new Int32Array(n).fill(NONE);
    for (let i = 0; i < n; i++) {
      const u = P2.rowUnit[i];
      placed[i] = state.placedKg[u];
      pos[i] = state.placedPos[u];
      column[i] = state.placedColumn[u];
      phase[i] = state.placedPhase[u];
      over[i] = state.placedOver[u];
      if (isIndependent && state.wins[u]) over[i] = state.wins[u].some((w) => w.over) ? 1 : 0;
    }
    if (rules.multiples === Multiples.MERGE_AFTER) {
      const count = new Int32Array(K);
      for (let i = 0; i < n; i++) if (placed[i] !== NONE) count[placed[i]]++;
      const groups = /* @__PURE__ */ new Map();
      records.forEach((r, i) => {
        if (r.group !== null) {
          if (!groups.has(r.group)) groups.set(r.group, []);
          groups.get(r.group).push(i);
        }
      });
      for (const g of [...groups.keys()].sort(compareCodePoints)) {
        const rows = groups.get(g).filter((i) => placed[i] !== NONE);
        if (rows.length < 2) continue;
        let best = rows[0];
        for (const i of rows) if (pos[i] < pos[best]) best = i;
        const target = placed[best];
        for (const i of rows) {
          if (placed[i] === target) continue;
          if (!rules.merge_over_capacity && count[target] >= kgs[target].seats) continue;
          count[placed[i]]--;
          count[target]++;
          moved[i] = placed[i];
          placed[i] = target;
          pos[i] = pos[best];
          column[i] = MOVED;
          over[i] = count[target] > kgs[target].seats ? 1 : 0;
        }
      }
    }
    const wins = new Array(n);
    for (let i = 0; i < n; i++) {
      if (isIndependent) {
        const unitWins = state.wins[P2.rowUnit[i]];
        wins[i] = unitWins ? [...unitWins].sort((a, b) => a.pos - b.pos) : [];
      } else {
        wins[i] = placed[i] === NONE ? [] : [{ kg: placed[i], column: column[i], phase: phase[i] }];
      }
    }
    const openColumn = (k, col) => col === MOVED ? kgs[k].blocks.length : col;
    const waitlist = Array.from({ length: K }, () => []);
    if (rules.waitlist_length > 0) {
      const waiting = Array.from({ length: K }, () => []);
      for (let u = 0; u < P2.U; u++) {
        const head = P2.unitMembers[u][0];
        for (let c = 0; c < P2.width[u]; c++) {
          const cell = u * C + c;
          if (!state.considered[cell]) continue;
          const k = P2.choiceKg[cell];
          if (isIndependent) {
            if ((state.wins[u] ?? []).some((w) => w.kg === k)) continue;
          } else if (placed[head] !== NONE && (placed[head] === k || pos[head] < c)) {
            continue;
          }
          waiting[k].push(cell);
        }
      }
      const order = byKey(P2);
      for (let k = 0; k < K; k++) {
        const cells = waiting[k].sort(order).slice(0, rules.waitlist_length);
        cells.forEach((cell, i) => {
          for (const row of P2.unitMembers[Math.floor(cell / C)]) waitlist[k].push([row, i + 1]);
        });
      }
    }
    const rowWaitlist = new Array(n);
    for (let k = 0; k < K; k++) {
      for (const [row, position] of waitlist[k]) (rowWaitlist[row] ??= []).push({ kindergarten: kgs[k].id, position });
    }
    const taken = kgs.map((kg) => new Int32Array(kg.blocks.length + 1));
    for (let i = 0; i < n; i++) for (const w of wins[i]) taken[w.kg][openColumn(w.kg, w.column)]++;
    const applicants = new Int32Array(K);
    const firstChoice = new Int32Array(K);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < P2.rowWidth[i]; c++) applicants[P2.rowChoices[i * C + c]]++;
      firstChoice[P2.rowChoices[i * C]]++;
    }
    const summaries = kgs.map((kg, k) => {
      const total = taken[k].reduce((a, b) => a + b, 0);
      return {
        id: kg.id,
        name: kg.name,
        seats: kg.seats,
        applicants: applicants[k],
        first_choice: firstChoice[k],
        placed: total,
        left_over: Math.max(kg.seats - total, 0),
        over_capacity: Math.max(total - kg.seats, 0),
        blocks: [
          ...kg.blocks.map((b, j) => ({ name: b.name, seats: b.seats, placed: taken[k][j] })),
          { name: OPEN_BLOCK, seats: kg.seats - kg.reserved, placed: taken[k][kg.blocks.length] }
        ],
        waitlist: waitlist[k].length
      };
    });
    const blockName = (k, col) => {
      const c = openColumn(k, col);
      return c < kgs[k].blocks.length ? kgs[k].blocks[c].name : OPEN_BLOCK;
    };
    const phaseName = (p) => p >= 0 && rules.phases.length ? rules.phases[p].name : null;
    const results = [];
    let unplaced = 0;
    for (const u of P2.unitOrder) {
      for (const i of P2.unitMembers[u]) {
        const here = !isIndependent && placed[i] !== NONE;
        if (placed[i] === NONE && wins[i].length === 0) unplaced++;
        results.push({
          block: here ? blockName(placed[i], column[i]) : null,
          choice_tickets: P2.unitChoiceTickets ? [...P2.unitChoiceTickets[u]] : [],
          moved_from: moved[i] === NONE ? null : kgs[moved[i]].id,
          over_capacity: over[i] === 1,
          phase: here ? phaseName(phase[i]) : null,
          placed: here ? kgs[placed[i]].id : null,
          registration_number: records[i].registration_number,
          ticket: P2.unitTicket[u],
          waitlist: rowWaitlist[i] ?? [],
          wins: wins[i].map((w) => ({ block: blockName(w.kg, w.column), kindergarten: kgs[w.kg].id, phase: phaseName(w.phase) }))
        });
      }
    }
    return { results, summaries, unplaced };
  }

  // src/rerun.js
  function rerunDraw({ rules, records, seed }) {
    const parsedRules = parseRules(typeof rules === "string" ? JSON.parse(rules) : rules);
    const seedBytes = typeof seed === "string" ? fromHex(seed, { field: "seed", length: 32 }) : seed;
    const parsed = parseRecords(records);
    const outcome = draw(parsedRules, parsed.records, seedBytes);
    const lines = outcome.results.map(resultLine);
    return {
      inputRoot: toHex(recordsRoot(parsedRules.draw_id, parsed.lines)),
      count: lines.length,
      lines,
      resultsRoot: toHex(resultsRoot(parsedRules.draw_id, lines)),
      summaries: outcome.summaries,
      unplaced: outcome.unplaced,
      results: outcome.results
    };
  }
  function compareWithTranscript(rerun, signed) {
    const problems = [];
    if (signed.results?.root !== rerun.resultsRoot) problems.push("The results root differs from the re-run.");
    if (signed.results?.count !== rerun.count) problems.push("The results count differs from the re-run.");
    if (canonicalJson(signed.kindergartens ?? null) !== canonicalJson(rerun.summaries)) {
      problems.push("The per-kindergarten summaries differ from the re-run.");
    }
    if (signed.unplaced !== rerun.unplaced) problems.push("The number unplaced differs from the re-run.");
    return problems;
  }

  // src/envelope.js
  function keyId(publicKey) {
    return toHex(sha2562(publicKey));
  }
  function malformed(problem, hint) {
    return new InputError(problem, { source: "signed document", hint });
  }
  function parseEnvelope(file, { expectedType } = {}) {
    const text = typeof file === "string" ? file : fromUtf8(file, "signed document");
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw malformed("The signed document is not valid JSON.", "The file is damaged or was edited.");
    }
    const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
    if (!isObject(parsed) || Object.keys(parsed).sort().join() !== "signatures,signed") {
      throw malformed("The file is not a signed envelope.", 'Expected {"signed": ..., "signatures": [...]}.');
    }
    const { signed, signatures } = parsed;
    if (!isObject(signed) || !Array.isArray(signatures)) throw malformed("The file is not a signed envelope.");
    const entries = signatures.map((item) => {
      if (!isObject(item) || Object.keys(item).sort().join() !== "keyid,sig" || typeof item.keyid !== "string") {
        throw malformed("A signature entry is malformed.");
      }
      return { keyid: item.keyid, sig: fromHex(item.sig, { field: "sig" }) };
    });
    const ids = entries.map((e) => e.keyid);
    if (new Set(ids).size !== ids.length) {
      throw malformed("A key signed twice; a key counts once, so a repeated signature can only be tampering.");
    }
    if (ids.some((id, i) => i > 0 && ids[i - 1] > id)) {
      throw malformed("The signatures are not sorted by key id.", "alloc writes them sorted; the file was edited.");
    }
    if (canonicalJson(parsed) + "\n" !== text) {
      throw malformed("The file is not in canonical form (RFC 8785 plus one line break).", "The file was edited or re-encoded after signing.");
    }
    if (expectedType !== void 0 && signed.type !== expectedType) {
      throw malformed(`The document is not a ${expectedType}.`);
    }
    return { signed, signatures: entries };
  }
  function evaluatePolicy(envelope, policy) {
    const message = canonicalBytes(envelope.signed);
    return policy.roles.map((role) => {
      const trusted = /* @__PURE__ */ new Map();
      for (const entry of role.keys) {
        const pub = fromHex(entry.public, { field: "public", length: 32 });
        const id = keyId(pub);
        if (entry.keyid !== void 0 && entry.keyid !== id) {
          throw new InputError("The key id does not match the public key.", { field: "keyid", value: entry.keyid });
        }
        trusted.set(id, pub);
      }
      const valid = /* @__PURE__ */ new Set();
      const invalid = [];
      for (const s of envelope.signatures) {
        const pub = trusted.get(s.keyid);
        if (pub === void 0) continue;
        if (ed25519Verify(pub, message, s.sig)) valid.add(s.keyid);
        else invalid.push(s.keyid);
      }
      const threshold = role.threshold ?? 1;
      return { role: role.name, valid: valid.size, threshold, keys: trusted.size, invalid, ok: valid.size >= threshold };
    });
  }
  function documentDigest(envelope) {
    const tag = { announcement: Tag.ANNOUNCEMENT, transcript: Tag.TRANSCRIPT }[envelope.signed.type];
    if (tag === void 0 || typeof envelope.signed.draw_id !== "string") {
      throw new InputError("The document has no known type or draw id.", { field: "signed.type" });
    }
    return taggedHash(tag, envelope.signed.draw_id, canonicalBytes(envelope.signed));
  }
  return __toCommonJS(index_exports);
})();
