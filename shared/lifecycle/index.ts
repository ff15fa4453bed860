export * from './table';
export * from './machine';
