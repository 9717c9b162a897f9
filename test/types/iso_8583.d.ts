// Minimal types for the untyped CommonJS package iso_8583 (zemuldo, v2.6.x): only what the interop
// test and the codec bench use. Errors are returned as { error } objects, never thrown.
declare module 'iso_8583' {
  namespace Iso8583 {
    /** Field values by number as strings; '0' is the MTI. */
    type IsoJson = Record<string, string>;
    interface IsoError {
      error: string;
    }
    interface FieldFormat {
      ContentType: string;
      Label: string;
      LenType: 'fixed' | 'lvar' | 'llvar' | 'lllvar' | 'llllvar' | 'lllllvar' | 'llllllvar';
      MaxLen: number;
      MinLen?: number;
    }
    type Formats = Record<string, FieldFormat>;
    interface UnpackConfig {
      /** false: the buffer has no 2-byte length header (the default strips 2 bytes). */
      lenHeader?: boolean;
      /** 'utf8': the bitmap is 32 ASCII hex characters; default: 16 raw bytes. */
      bitmapEncoding?: 'hex' | 'utf8';
    }
  }
  class Iso8583 {
    constructor(message?: Iso8583.IsoJson, customFormats?: Iso8583.Formats);
    /** MTI + bitmaps + fields, without the 2-byte length header. */
    getRawMessage(): Buffer | Iso8583.IsoError;
    /** getRawMessage() behind a 2-byte binary big-endian length. */
    getBufferMessage(): Buffer | Iso8583.IsoError;
    getIsoJSON(buffer: Buffer, config?: Iso8583.UnpackConfig): Iso8583.IsoJson | Iso8583.IsoError;
    validateMessage(): boolean | Iso8583.IsoError;
  }
  export = Iso8583;
}

// The field format table, by field number ('2', '127.25.1', …).
declare module 'iso_8583/lib/formats.js' {
  const formats: import('iso_8583').Formats;
  export = formats;
}

declare module 'iso_8583/lib/types.js' {
  /** true, or { error } when a character is outside the format's content type. */
  function checkDataType(
    format: import('iso_8583').FieldFormat,
    data: string,
    field: number | string,
  ): true | import('iso_8583').IsoError;
  export = checkDataType;
}
