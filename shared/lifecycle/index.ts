export * from './table';
export * from './machine';
export * from './records';
