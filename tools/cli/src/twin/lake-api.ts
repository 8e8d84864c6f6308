// What the local commands use of @lakepipe/lake, imported by name: a command that loads this
// module lazily gets these and not the whole barrel (whose S3 object store loads the AWS S3 client).
import { assertRunId, FolderObjectStore } from '@lakepipe/lake';
import { openLocalLake } from '@lakepipe/view';

export { assertRunId, FolderObjectStore, openLocalLake };
