/** The session protocol's wire: frame types and constants (frames.ts), parsing and encoding (codec.ts). */
export * from './frames';
export * from './codec';
