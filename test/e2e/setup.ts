import { recordWorktree } from './worktree';

export default recordWorktree;
