/**
 * The personal seal styles the product offers (A5), apart from their drawing (seal.ts) so that the
 * seal records and pages can name them without carrying the font machinery.
 */
export type SealShape = 'square' | 'round' | 'oval' | 'rectangle';

/** The styles offered when creating a personal seal (A5), in the order the page lists them. */
export const SEAL_STYLES: ReadonlyArray<{ style: SealShape; label: string }> = [
  { style: 'square', label: '方章' },
  { style: 'round', label: '圆章' },
  { style: 'oval', label: '椭圆章' },
  { style: 'rectangle', label: '长方章' },
];

export const isSealShape = (v: unknown): v is SealShape => SEAL_STYLES.some((s) => s.style === v);
