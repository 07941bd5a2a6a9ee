import { memoryStore } from '../../src/server/memory-store';
import { describeStoreContract } from '../support/store-contract';

describeStoreContract('memoryStore', () => memoryStore({ sweepInterval: 20 }));
