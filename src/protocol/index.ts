/** The session protocol's wire: frame types and constants (frames.ts), parsing and encoding (codec.ts), the conformance test contract (test-contract.ts). */
export * from './frames';
export * from './codec';
export * from './test-contract';
