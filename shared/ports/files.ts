/**
 * File storage (CloudBase storage / COS in production; a directory locally). Keys are
 * slash-separated paths such as "contracts/<id>/final.pdf".
 */
export interface FileStorage {
  put(key: string, content: Buffer, contentType: string): Promise<void>;
  get(key: string): Promise<Buffer | null>;
  /** A short-lived URL a client can download from (C12). */
  temporaryUrl(key: string, maxAgeSeconds: number): Promise<string>;
}
