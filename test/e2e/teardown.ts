import { checkWorktree } from './worktree';

export default checkWorktree;
