export * from './common';
export * from './org';
export * from './auth';
export * from './hazard';
export * from './pledge';
export * from './publicity';
export * from './fieldwork';
export * from './stats';
