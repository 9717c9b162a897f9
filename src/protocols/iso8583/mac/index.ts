export { computeMac, keyCheckValue, MAC_LENGTH, type MacAlgorithm, verifyMac } from './algorithms.js';
export { desDecryptBlock, desEncryptBlock, tdesDecryptEcb, tdesEncryptEcb } from './des.js';
