// The part of piexifjs (1.0.6, no bundled types) the search dev library uses.
declare module 'piexifjs' {
  type Ifd = Record<number, unknown>;
  interface ExifDict {
    '0th'?: Ifd;
    Exif?: Ifd;
    GPS?: Ifd;
    Interop?: Ifd;
    '1st'?: Ifd;
    thumbnail?: string | null;
  }
  const piexif: {
    ImageIFD: Record<string, number>;
    ExifIFD: Record<string, number>;
    GPSIFD: Record<string, number>;
    /** the EXIF block as a binary string */
    dump(exif: ExifDict): string;
    /** the JPEG (binary string) with the EXIF block inserted */
    insert(exif: string, jpeg: string): string;
    load(jpeg: string): ExifDict;
  };
  export default piexif;
}
