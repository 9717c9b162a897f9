// paymatrix library API: everything the CLI does is available here, typed.
export { DataFileError } from './data/data-file-error.js';
export * from './mocks/hosts/host-loader.js';
export * from './protocols/iso8583/index.js';
