import { MemoryStorage } from '../../src/index.js';
import { describeEngineConformance } from '../../src/testing/index.js';

describeEngineConformance('MemoryStorage', () => new MemoryStorage());
