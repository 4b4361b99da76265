package wasi

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/bigband-dev/bigband/host/abi"
)

// Filesystem access is read-only: a preopen is an os.Root over a host
// directory, which refuses every path that leaves it, through ".." or
// symlinks alike. Anything that would change the filesystem answers
// error-code read-only.

// ErrorCode is a wasi:filesystem/types error-code case.
type ErrorCode = abi.Enum

// error-code cases, in declaration order.
const (
	CodeAccess ErrorCode = iota
	CodeWouldBlock
	CodeAlready
	CodeBadDescriptor
	CodeBusy
	CodeDeadlock
	CodeQuota
	CodeExist
	CodeFileTooLarge
	CodeIllegalByteSequence
	CodeInProgress
	CodeInterrupted
	CodeInvalid
	CodeIO
	CodeIsDirectory
	CodeLoop
	CodeTooManyLinks
	CodeMessageSize
	CodeNameTooLong
	CodeNoDevice
	CodeNoEntry
	CodeNoLock
	CodeInsufficientMemory
	CodeInsufficientSpace
	CodeNotDirectory
	CodeNotEmpty
	CodeNotRecoverable
	CodeUnsupported
	CodeNoTTY
	CodeNoSuchDevice
	CodeOverflow
	CodeNotPermitted
	CodePipe
	CodeReadOnly
	CodeInvalidSeek
	CodeTextFileBusy
	CodeCrossDevice
)

// descriptor-type cases.
const (
	typeUnknown abi.Enum = iota
	typeBlockDevice
	typeCharacterDevice
	typeDirectory
	typeFIFO
	typeSymlink
	typeRegularFile
	typeSocket
)

// Flag bits of descriptor-flags, path-flags and open-flags.
const (
	flagRead            abi.Flags = 1 << 0
	flagWrite           abi.Flags = 1 << 1
	flagMutateDirectory abi.Flags = 1 << 5

	pathSymlinkFollow abi.Flags = 1 << 0

	openCreate    abi.Flags = 1 << 0
	openDirectory abi.Flags = 1 << 1
	openExclusive abi.Flags = 1 << 2
	openTruncate  abi.Flags = 1 << 3
)

// Descriptor is a wasi:filesystem descriptor: a directory (an os.Root) or
// a file opened for reading.
type Descriptor struct {
	name string // guest path, for messages
	root *os.Root
	file *os.File
	once sync.Once
}

// String returns the descriptor's guest path.
func (d *Descriptor) String() string { return d.name }

// Drop implements abi.Dropper: the guest's last handle is gone.
func (d *Descriptor) Drop() {
	d.once.Do(func() {
		if d.root != nil {
			d.root.Close()
		}
		if d.file != nil {
			d.file.Close()
		}
	})
}

func (d *Descriptor) stat() (fs.FileInfo, error) {
	if d.root != nil {
		return d.root.Stat(".")
	}
	return d.file.Stat()
}

// DirectoryEntryStream is a wasi:filesystem directory-entry-stream.
type DirectoryEntryStream struct {
	dir     *os.File
	pending []fs.DirEntry
	done    bool
}

// Drop implements abi.Dropper.
func (s *DirectoryEntryStream) Drop() { s.dir.Close() }

func (s *DirectoryEntryStream) next() (abi.Option, error) {
	if len(s.pending) == 0 && !s.done {
		entries, err := s.dir.ReadDir(64)
		if err != nil && !errors.Is(err, io.EOF) {
			return abi.None, err
		}
		s.pending, s.done = entries, len(entries) == 0
	}
	if len(s.pending) == 0 {
		return abi.None, nil
	}
	e := s.pending[0]
	s.pending = s.pending[1:]
	return abi.Some(abi.Record{modeType(e.Type()), e.Name()}), nil
}

func modeType(m fs.FileMode) abi.Enum {
	switch {
	case m.IsDir():
		return typeDirectory
	case m&fs.ModeSymlink != 0:
		return typeSymlink
	case m&fs.ModeNamedPipe != 0:
		return typeFIFO
	case m&fs.ModeSocket != 0:
		return typeSocket
	case m&fs.ModeCharDevice != 0:
		return typeCharacterDevice
	case m&fs.ModeDevice != 0:
		return typeBlockDevice
	case m.IsRegular():
		return typeRegularFile
	}
	return typeUnknown
}

// sysUint reads an integer field (Ino, Dev, Nlink) of FileInfo.Sys()
// without per-platform files; it is absent where the platform lacks it.
func sysUint(fi fs.FileInfo, field string) (uint64, bool) {
	v := reflect.ValueOf(fi.Sys())
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0, false
	}
	f := v.FieldByName(field)
	switch {
	case !f.IsValid():
		return 0, false
	case f.CanUint():
		return f.Uint(), true
	case f.CanInt():
		return uint64(f.Int()), true
	}
	return 0, false
}

// descriptorStat builds the descriptor-stat record. Only the modification
// time is reported: access and status-change times have no portable source.
func descriptorStat(fi fs.FileInfo) abi.Record {
	links, ok := sysUint(fi, "Nlink")
	if !ok {
		links = 1
	}
	return abi.Record{
		modeType(fi.Mode()),
		links,
		uint64(fi.Size()),
		abi.None,
		abi.Some(Datetime(fi.ModTime())),
		abi.None,
	}
}

// metadataHash identifies the object behind fi: device and inode where the
// platform has them, else a hash of what it does have.
func metadataHash(fi fs.FileInfo) abi.Record {
	ino, ok1 := sysUint(fi, "Ino")
	dev, ok2 := sysUint(fi, "Dev")
	if ok1 && ok2 {
		return abi.Record{ino, dev}
	}
	h := fnv.New128a()
	fmt.Fprint(h, fi.Name(), fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
	sum := h.Sum(nil)
	lo, hi := uint64(0), uint64(0)
	for i := range 8 {
		lo |= uint64(sum[i]) << (8 * i)
		hi |= uint64(sum[8+i]) << (8 * i)
	}
	return abi.Record{lo, hi}
}

// errorCode classifies a host error as an error-code.
func errorCode(err error) ErrorCode {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		switch errno {
		case syscall.EACCES:
			return CodeAccess
		case syscall.EPERM:
			return CodeNotPermitted
		case syscall.ENOENT:
			return CodeNoEntry
		case syscall.ENOTDIR:
			return CodeNotDirectory
		case syscall.EISDIR:
			return CodeIsDirectory
		case syscall.ELOOP:
			return CodeLoop
		case syscall.ENAMETOOLONG:
			return CodeNameTooLong
		case syscall.EINVAL:
			return CodeInvalid
		case syscall.EEXIST:
			return CodeExist
		case syscall.EROFS:
			return CodeReadOnly
		case syscall.EBADF:
			return CodeBadDescriptor
		case syscall.ENOTEMPTY:
			return CodeNotEmpty
		case syscall.EXDEV:
			return CodeCrossDevice
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return CodeNoEntry
	case errors.Is(err, fs.ErrPermission):
		return CodeAccess
	case errors.Is(err, fs.ErrExist):
		return CodeExist
	case errors.Is(err, fs.ErrClosed):
		return CodeBadDescriptor
	case strings.Contains(err.Error(), "escapes from parent"):
		// os.Root's refusal of a path leaving the preopen (unexported error).
		return CodeNotPermitted
	}
	return CodeIO
}

// isFilesystemError reports whether err came from the filesystem, which
// is when filesystem-error-code has an answer.
func isFilesystemError(err error) bool {
	var pe *fs.PathError
	var errno syscall.Errno
	return errors.As(err, &pe) || errors.As(err, &errno) || errors.Is(err, fs.ErrClosed)
}

func fsErr(c ErrorCode) abi.Result { return abi.Err(c) }

func fsResult(v any, err error) abi.Result {
	if err != nil {
		return fsErr(errorCode(err))
	}
	return abi.Ok(v)
}

// guestPath checks a path the guest passes: WASI paths are relative to
// the descriptor; an absolute one can only be an attempt to escape.
func guestPath(p string) (string, bool) {
	if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "/") {
		return "", false
	}
	return p, true
}

// dirMethod adapts a method that needs a directory descriptor and a path
// argument at argument index pathArg (after self).
func dirMethod(pathArg int, f func(d *Descriptor, path string, args []any) (any, error)) Func {
	return method(func(_ context.Context, _ *State, d *Descriptor, args []any) (any, error) {
		p, err := arg[string](args, pathArg)
		if err != nil {
			return nil, err
		}
		if d.root == nil {
			return fsErr(CodeNotDirectory), nil
		}
		p, ok := guestPath(p)
		if !ok {
			return fsErr(CodeNotPermitted), nil
		}
		return f(d, p, args)
	})
}

// readOnly answers every method that would change the filesystem.
func readOnly() Func {
	return method(func(context.Context, *State, *Descriptor, []any) (any, error) {
		return fsErr(CodeReadOnly), nil
	})
}

func statAt(d *Descriptor, path string, args []any) (fs.FileInfo, error) {
	pf, err := arg[abi.Flags](args, 0)
	if err != nil {
		return nil, err
	}
	if pf&pathSymlinkFollow != 0 {
		return d.root.Stat(path)
	}
	return d.root.Lstat(path)
}

// openAt opens path under d for reading; anything asking for write access
// or creation is refused as read-only.
func openAt(d *Descriptor, path string, args []any) (any, error) {
	pf, err := arg[abi.Flags](args, 0)
	if err != nil {
		return nil, err
	}
	of, err := arg[abi.Flags](args, 2)
	if err != nil {
		return nil, err
	}
	df, err := arg[abi.Flags](args, 3)
	if err != nil {
		return nil, err
	}
	if of&(openCreate|openExclusive|openTruncate) != 0 || df&(flagWrite|flagMutateDirectory) != 0 {
		return fsErr(CodeReadOnly), nil
	}
	var fi fs.FileInfo
	if pf&pathSymlinkFollow != 0 {
		fi, err = d.root.Stat(path)
	} else {
		fi, err = d.root.Lstat(path)
	}
	switch {
	case err != nil:
		return fsErr(errorCode(err)), nil
	case fi.Mode()&fs.ModeSymlink != 0:
		return fsErr(CodeLoop), nil // O_NOFOLLOW on a symlink
	case fi.IsDir():
		sub, err := d.root.OpenRoot(path)
		if err != nil {
			return fsErr(errorCode(err)), nil
		}
		return abi.Ok(&Descriptor{name: d.name + "/" + path, root: sub}), nil
	case of&openDirectory != 0:
		return fsErr(CodeNotDirectory), nil
	case !fi.Mode().IsRegular():
		// Opening a FIFO or device could block the host or touch hardware.
		return fsErr(CodeUnsupported), nil
	}
	f, err := d.root.Open(path)
	if err != nil {
		return fsErr(errorCode(err)), nil
	}
	return abi.Ok(&Descriptor{name: d.name + "/" + path, file: f}), nil
}

func fileMethod(f func(d *Descriptor, args []any) (any, error)) Func {
	return method(func(_ context.Context, _ *State, d *Descriptor, args []any) (any, error) {
		if d.file == nil {
			return fsErr(CodeIsDirectory), nil
		}
		return f(d, args)
	})
}

func anyMethod(f func(d *Descriptor, args []any) (any, error)) Func {
	return method(func(_ context.Context, _ *State, d *Descriptor, args []any) (any, error) {
		return f(d, args)
	})
}

func okMethod() Func {
	return anyMethod(func(*Descriptor, []any) (any, error) { return abi.Ok(nil), nil })
}

func filesystemTypes() *Interface {
	return &Interface{
		Name:      "wasi:filesystem/types",
		Resources: []string{"descriptor", "directory-entry-stream"},
		Funcs: map[string]Func{
			"[method]descriptor.read-via-stream": fileMethod(func(d *Descriptor, args []any) (any, error) {
				off, err := arg[uint64](args, 0)
				if err != nil {
					return nil, err
				}
				if off > 1<<63-1 {
					return fsErr(CodeInvalid), nil
				}
				return abi.Ok(NewInputStream(io.NewSectionReader(d.file, int64(off), 1<<63-1-int64(off)))), nil
			}),
			"[method]descriptor.write-via-stream":  readOnly(),
			"[method]descriptor.append-via-stream": readOnly(),
			// Advice and syncing change nothing a reader could observe.
			"[method]descriptor.advise":    okMethod(),
			"[method]descriptor.sync-data": okMethod(),
			"[method]descriptor.sync":      okMethod(),
			"[method]descriptor.get-flags": anyMethod(func(*Descriptor, []any) (any, error) {
				return abi.Ok(flagRead), nil
			}),
			"[method]descriptor.get-type": anyMethod(func(d *Descriptor, _ []any) (any, error) {
				fi, err := d.stat()
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(modeType(fi.Mode())), nil
			}),
			"[method]descriptor.set-size":  readOnly(),
			"[method]descriptor.set-times": readOnly(),
			"[method]descriptor.read": fileMethod(func(d *Descriptor, args []any) (any, error) {
				n, err := arg[uint64](args, 0)
				if err != nil {
					return nil, err
				}
				off, err := arg[uint64](args, 1)
				if err != nil {
					return nil, err
				}
				if off > 1<<63-1 {
					return fsErr(CodeInvalid), nil
				}
				buf := make([]byte, min(n, readChunk))
				k, err := d.file.ReadAt(buf, int64(off))
				if err != nil && !errors.Is(err, io.EOF) {
					return fsErr(errorCode(err)), nil
				}
				eof := errors.Is(err, io.EOF)
				return abi.Ok(abi.Tuple{buf[:k], eof}), nil
			}),
			"[method]descriptor.write": readOnly(),
			"[method]descriptor.read-directory": anyMethod(func(d *Descriptor, _ []any) (any, error) {
				if d.root == nil {
					return fsErr(CodeNotDirectory), nil
				}
				f, err := d.root.Open(".")
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(&DirectoryEntryStream{dir: f}), nil
			}),
			"[method]descriptor.create-directory-at": readOnly(),
			"[method]descriptor.stat": anyMethod(func(d *Descriptor, _ []any) (any, error) {
				fi, err := d.stat()
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(descriptorStat(fi)), nil
			}),
			"[method]descriptor.stat-at": dirMethod(1, func(d *Descriptor, path string, args []any) (any, error) {
				fi, err := statAt(d, path, args)
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(descriptorStat(fi)), nil
			}),
			"[method]descriptor.set-times-at": readOnly(),
			"[method]descriptor.link-at":      readOnly(),
			"[method]descriptor.open-at":      dirMethod(1, openAt),
			"[method]descriptor.readlink-at": dirMethod(0, func(d *Descriptor, path string, _ []any) (any, error) {
				target, err := d.root.Readlink(path)
				return fsResult(target, err), nil
			}),
			"[method]descriptor.remove-directory-at": readOnly(),
			"[method]descriptor.rename-at":           readOnly(),
			"[method]descriptor.symlink-at":          readOnly(),
			"[method]descriptor.unlink-file-at":      readOnly(),
			"[method]descriptor.is-same-object": anyMethod(func(d *Descriptor, args []any) (any, error) {
				other, err := arg[*Descriptor](args, 0)
				if err != nil {
					return nil, err
				}
				a, err1 := d.stat()
				b, err2 := other.stat()
				return err1 == nil && err2 == nil && os.SameFile(a, b), nil
			}),
			"[method]descriptor.metadata-hash": anyMethod(func(d *Descriptor, _ []any) (any, error) {
				fi, err := d.stat()
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(metadataHash(fi)), nil
			}),
			"[method]descriptor.metadata-hash-at": dirMethod(1, func(d *Descriptor, path string, args []any) (any, error) {
				fi, err := statAt(d, path, args)
				if err != nil {
					return fsErr(errorCode(err)), nil
				}
				return abi.Ok(metadataHash(fi)), nil
			}),
			"[method]directory-entry-stream.read-directory-entry": method(func(_ context.Context, _ *State, s *DirectoryEntryStream, _ []any) (any, error) {
				return fsResult(s.next()), nil
			}),
			"filesystem-error-code": func(_ context.Context, _ *State, args []any) (any, error) {
				e, err := arg[*Error](args, 0)
				if err != nil {
					return nil, err
				}
				if !isFilesystemError(e.err) {
					return abi.None, nil
				}
				return abi.Some(errorCode(e.err)), nil
			},
		},
	}
}

// Preopens opens the configured preopened directories, sorted by guest
// path. A host directory that cannot be opened is a configuration error.
func (st *State) Preopens() ([]abi.Tuple, error) {
	names := make([]string, 0, len(st.Config.Preopens))
	for name := range st.Config.Preopens {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]abi.Tuple, 0, len(names))
	for _, name := range names {
		root, err := os.OpenRoot(st.Config.Preopens[name])
		if err != nil {
			for _, t := range out {
				t[0].(*Descriptor).Drop()
			}
			return nil, fmt.Errorf("wasi: preopen %q: %w (check the preopened directories in the configuration)", name, err)
		}
		out = append(out, abi.Tuple{&Descriptor{name: name, root: root}, name})
	}
	return out, nil
}

func filesystemPreopens() *Interface {
	return &Interface{
		Name: "wasi:filesystem/preopens",
		Funcs: map[string]Func{
			"get-directories": func(_ context.Context, st *State, _ []any) (any, error) {
				dirs, err := st.Preopens()
				if err != nil {
					return nil, err
				}
				list := make([]any, len(dirs))
				for i, t := range dirs {
					list[i] = t
				}
				return list, nil
			},
		},
	}
}
