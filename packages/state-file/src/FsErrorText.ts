/** A system error in words, with its code: "permission denied (EACCES)". */
export const describeFsError = (error: unknown): string => {
  const code = (error as NodeJS.ErrnoException).code
  const words: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on the device",
    EDQUOT: "disk quota exceeded",
    ENOTDIR: "a part of the path is a file, not a folder",
    EISDIR: "it is a folder",
    ELOOP: "it is a symbolic link",
    ENOENT: "no such file or folder",
    EIO: "input/output error",
    EEXIST: "it already exists",
    EADDRINUSE: "address already in use",
    EADDRNOTAVAIL: "address not available"
  }
  if (code !== undefined && words[code] !== undefined) return `${words[code]} (${code})`
  return error instanceof Error ? error.message : String(error)
}
