/** Identifiers and unguessable tokens. */
export interface Ids {
  /** A new document id (sortable by creation time is nice, not required). */
  id(prefix: string): string;
  /** An unguessable URL-safe token (share links, download tokens). */
  token(bytes?: number): string;
}
