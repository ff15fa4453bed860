export * from './store';
export * from './clock';
export * from './ids';
export * from './face';
export * from './sms';
export * from './mailer';
export * from './files';
export * from './payments';
