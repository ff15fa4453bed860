/**
 * The generic document model every contract kind renders through: a title and a list of blocks.
 * Templates build a model; layout.ts places it on A4 pages; render.ts draws it.
 */

export interface HeadingBlock {
  kind: 'heading';
  text: string;
}

export interface ParagraphBlock {
  kind: 'paragraph';
  text: string;
  /** Indent the first line by two characters (the Chinese paragraph convention). Default true. */
  indent?: boolean;
  align?: 'left' | 'center' | 'right';
  /** Smaller, grey text for notes. */
  small?: boolean;
  bold?: boolean;
}

/** A two-column bordered table of labels and values. */
export interface KeyValueBlock {
  kind: 'keyValue';
  rows: ReadonlyArray<{ key: string; value: string }>;
  /** Width of the label column as a fraction of the text width. Default 0.28. */
  keyWidth?: number;
  /** Never split across pages (when it fits on one): a record that reads as one, like a certificate. */
  keepTogether?: boolean;
}

export interface TableColumn {
  title: string;
  /** Relative width (default 1). */
  width?: number;
  align?: 'left' | 'center' | 'right';
}

/** A bordered table with a header row, repeated on every page the table spans. */
export interface TableBlock {
  kind: 'table';
  columns: readonly TableColumn[];
  rows: ReadonlyArray<readonly string[]>;
}

export interface Clause {
  text: string;
  /** Sub-items, numbered （一）（二）… under the clause. */
  items?: readonly string[];
}

/** Numbered clauses 第一条, 第二条 … (numbering continues from `startAt`, default 1). */
export interface ClausesBlock {
  kind: 'clauses';
  clauses: ReadonlyArray<string | Clause>;
  startAt?: number;
}

export interface SignatureParty {
  /** e.g. '出借人（甲方）'. */
  role: string;
  name: string;
  /** Already masked by the caller, e.g. '110105********002X'. */
  maskedId?: string;
  /** Unique per signer, becomes the PDF signature field name, e.g. 'Sig_lender'. */
  fieldName: string;
}

/**
 * The PDF signature field of a party, named after its role in the kind: 'Sig_landlord',
 * 'Sig_lender'. Documents name their areas with it and signing (contracts/pdf.ts) finds a
 * party's area by it (C10), so every kind's document must use this one spelling.
 */
export const signatureFieldName = (roleKey: string): string => `Sig_${roleKey}`;

export interface SignatureAreasBlock {
  kind: 'signatureAreas';
  parties: readonly SignatureParty[];
}

export interface SpacerBlock {
  kind: 'spacer';
  height: number;
}

export type Block =
  | HeadingBlock
  | ParagraphBlock
  | KeyValueBlock
  | TableBlock
  | ClausesBlock
  | SignatureAreasBlock
  | SpacerBlock;

export interface DocumentModel {
  contractNo: string;
  /** What the number under the title and in the footers is (default 合同编号; a report's is 报告编号). */
  numberLabel?: string;
  title: string;
  blocks: readonly Block[];
  /** Document information dictionary. */
  metadata?: {
    subject?: string;
    author?: string;
    keywords?: readonly string[];
    /** Fixed creation date keeps re-renders byte-identical; omitted, none is written. */
    createdAt?: Date;
  };
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Where a party signs: PDF user space (points, origin bottom-left) on a 0-based page. */
export interface SignatureArea {
  fieldName: string;
  role: string;
  name: string;
  pageIndex: number;
  rect: Rect;
}
