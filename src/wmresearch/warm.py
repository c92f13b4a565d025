"""Report stages started warm: under ``dvc repro``, each ``wmresearch run`` is a copy of one
process that already has the report machinery imported.

Every report stage is a ``wmresearch run`` of its own, and each used to spend about two and a
half seconds of its five getting ready: importing papermill and nbconvert, then starting a
kernel that imports IPython, pandas, matplotlib and the package (``benchmarks/`` prints the
stages' times). With thirteen report stages that is half a minute of every forced rerun.

So the first report stage of a ``dvc repro`` starts a *warm server* beside itself (and runs
as before). The server imports, once, everything a stage imports: the command line, the
renderer, ipykernel, every notebook's imports and the estimators' libraries. Each later stage
finds it and hands over its command line, environment, working directory and terminal
streams (passed as file descriptors, so the stage's output goes where DVC reads it). The
server forks a copy of itself that runs the command exactly as the stage would have, with
those streams, and starts the report's kernel as a fork of that copy
(:class:`wmresearch.reporting.forked.ForkedKernel`), the modules already loaded. The stage's
process waits, passes on an interrupt, and exits with the copy's exit code, so a failing
notebook still fails its stage.

A copy only ever serves a stage whose interpreter, import path, environment (apart from the
variables that name DVC's stage) and package files are those the server started with: they
name its socket (:func:`server_key`), so an edited module, an installed package or a changed
setting starts a new server. Only DVC's stage commands use it (``DVC_STAGE`` is set);
``WMRESEARCH_WARM=0`` turns it off. The socket is in a folder only its user can open, and the
server answers only its own user. It exits after :data:`IDLE_SECONDS` without a stage. A
server that fails to start writes why beside its socket (``<key>.failed``), and stages with
its settings then run cold instead of each starting another.
Reports built warm are byte-identical to those built cold (``tests/test_warm.py``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import socket
import struct
import sys
import tempfile
import time
from pathlib import Path

#: Set to ``0`` to run every stage cold.
SWITCH_ENV = "WMRESEARCH_WARM"
#: A server with no stage to run for this long exits.
IDLE_SECONDS = 120.0
#: What DVC sets per stage, and what a shell sets per command: not part of a server's key.
VOLATILE_ENV = frozenset({"DVC_STAGE", "PWD", "OLDPWD", "SHLVL", "_"})
#: True in a copy that runs a stage (the kernel is then forked, not started).
SERVED = False

_PACKAGE = Path(__file__).resolve().parent
_HEADER = struct.Struct("!I")  # the request's length, sent with the three streams
_REPLY = struct.Struct("!ci")  # b"P" and the copy's pid, then b"X" and its exit code


def _wanted(argv: list[str], env: dict[str, str]) -> bool:
    # Linux only, as for background jobs (wmresearch.parallel): macOS's system libraries
    # are not safe to fork
    return (len(argv) > 1 and argv[1] == "run" and "DVC_STAGE" in env
            and env.get(SWITCH_ENV, "1") != "0" and sys.platform == "linux")


def server_key(env: dict[str, str] | None = None) -> str:
    """The name of the server that may run a stage of this process: a digest of the
    interpreter, its import path (and the state of every folder on it), the environment
    without :data:`VOLATILE_ENV`, and the size and time of every file of the package."""
    env = dict(os.environ if env is None else env)
    digest = hashlib.sha256()
    stable = sorted((k, v) for k, v in env.items() if k not in VOLATILE_ENV)
    digest.update(json.dumps([sys.executable, sys.path[1:], stable]).encode())
    for entry in sys.path[1:]:
        with contextlib.suppress(OSError):
            digest.update(f"{entry}:{os.stat(entry).st_mtime_ns}".encode())
    for path in sorted(_PACKAGE.rglob("*")):
        if "__pycache__" not in path.parts and path.is_file():
            info = path.stat()
            digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:20]


def _folder() -> Path:
    """The folder of this user's servers' sockets, private to the user; short enough for a
    socket's path (at most 107 bytes on Linux), else OSError."""
    folder = None
    for base in (os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir()):
        if base and len(base) < 64:
            folder = Path(base) / f"wmresearch-warm-{os.getuid()}"
            break
    if folder is None:
        raise OSError("no folder with a path short enough for a socket")
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.stat().st_uid != os.getuid() or folder.stat().st_mode & 0o077:
        raise PermissionError(f"{folder} is not private to this user")
    return folder


def _start_server(key: str, folder: Path) -> None:
    """Start a server for ``key`` in the background, unless one is already starting or one
    failed to start (``<key>.failed`` holds its error: stages with these settings then run
    cold, rather than each starting a server that fails)."""
    import subprocess

    if (folder / f"{key}.failed").exists():
        return  # it failed to start with these settings: they run cold
    starting = folder / f"{key}.starting"
    try:
        fd = os.open(starting, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if time.time() - starting.stat().st_mtime < 60:
            return  # another stage is starting it
        starting.unlink(missing_ok=True)  # left by a server that never started
        return
    os.close(fd)
    env = {k: v for k, v in os.environ.items() if k != "DVC_STAGE"}
    # with the interpreter options of the kernel spec (its debugger wants frozen modules off)
    subprocess.Popen([sys.executable, "-Xfrozen_modules=off", "-m", "wmresearch.warm",
                      str(folder), key],
                     cwd=os.getcwd(), env=env, stdin=subprocess.DEVNULL,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True, close_fds=True)


def run_warm(argv: list[str]) -> int | None:
    """Run the command ``argv`` in a copy of this stage's warm server and return its exit
    code; ``None`` when there is none to run it (the caller runs it itself), after starting
    one for the stages that follow."""
    if not _wanted(argv, dict(os.environ)):
        return None
    try:
        folder = _folder()
        key = server_key()
    except OSError:
        return None
    path = folder / f"{key}.sock"
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.connect(str(path))
    except OSError:
        conn.close()
        with contextlib.suppress(OSError):
            _start_server(key, folder)
        return None
    with conn:
        request = json.dumps({"argv": argv, "env": dict(os.environ), "cwd": os.getcwd(),
                              "path": sys.path, "umask": _umask()}).encode()
        try:
            socket.send_fds(conn, [_HEADER.pack(len(request))], [0, 1, 2])
        except OSError:  # a closed standard stream cannot be passed on: run it here
            return None
        conn.sendall(request)
        return _wait(conn)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _receive(conn: socket.socket) -> tuple[bytes, int] | None:
    data = b""
    while len(data) < _REPLY.size:
        chunk = conn.recv(_REPLY.size - len(data))  # retried after a signal (PEP 475)
        if not chunk:
            return None
        data += chunk
    return _REPLY.unpack(data)


def _wait(conn: socket.socket) -> int:
    """Wait for the copy's exit code, passing on an interrupt or a termination."""
    started = _receive(conn)
    if started is None or started[0] != b"P":
        print("wmresearch: error: the warm server did not start the stage; rerun with "
              f"{SWITCH_ENV}=0", file=sys.stderr)
        return 1
    pid = started[1]

    def forward(signum: int, _frame: object) -> None:
        with contextlib.suppress(OSError):
            os.killpg(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, forward)
    finished = _receive(conn)
    if finished is None or finished[0] != b"X":
        print("wmresearch: error: the stage's process ended without an exit code",
              file=sys.stderr)
        return 1
    return finished[1]


# ---- the server ---------------------------------------------------------------------------

def _preload(root: Path) -> None:
    """Import what a stage imports: the command line and renderer, ipykernel, every
    notebook's import statements and the estimators' libraries; compile the page template."""
    import importlib

    from wmresearch.reporting import kernel

    modules = ["wmresearch.cli", "wmresearch.runner", "papermill", "jupytext",
               "ipykernel.kernelapp", "ipykernel.ipkernel",
               "ipykernel.debugger", *kernel.BACKGROUND_IMPORTS]
    statements = [line for script in sorted((root / "notebooks").glob("*.py"))
                  for line in kernel.notebook_imports(script).splitlines()]
    for name in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(name)
    for statement in dict.fromkeys(statements):
        with contextlib.suppress(Exception):
            exec(statement, {})  # a notebook's own import statement
    from wmresearch.reporting.render import warm_renderer

    with contextlib.suppress(Exception):
        warm_renderer()


def _serve_one(conn: socket.socket) -> None:
    """In the forked copy: become the stage's process and run its command."""
    global SERVED
    code = 1
    try:
        message, fds, _flags, _addr = socket.recv_fds(conn, _HEADER.size, 3)
        (length,) = _HEADER.unpack(message)
        data = b""
        while len(data) < length:
            chunk = conn.recv(length - len(data))
            if not chunk:
                raise EOFError("the stage's process went away before its request arrived")
            data += chunk
        request = json.loads(data)
        os.setsid()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        # the server's output went to /dev/null: line by line again on a terminal
        sys.stdout.reconfigure(line_buffering=os.isatty(1))
        conn.sendall(_REPLY.pack(b"P", os.getpid()))
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = request["argv"]
        sys.path[:] = request["path"]
        SERVED = True
        from wmresearch.cli import main

        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        with contextlib.suppress(OSError):
            conn.sendall(_REPLY.pack(b"X", code))
        os._exit(code)


def serve(folder: Path, key: str, *, idle: float = IDLE_SECONDS) -> None:
    """Preload, then run stages sent to ``folder/key.sock`` until ``idle`` seconds pass
    without one."""
    starting = folder / f"{key}.starting"
    path = folder / f"{key}.sock"
    try:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as every kernel has it
        # as ipykernel sets it before a notebook imports matplotlib
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        _preload(Path.cwd())
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        pending = folder / f"{key}.{os.getpid()}.new"
        listener.bind(str(pending))
        listener.listen(8)
        os.replace(pending, path)  # a stage only finds a server that is ready
        inode = path.stat().st_ino
    except BaseException:
        import traceback

        # why every stage with these settings runs cold (and starts no other server)
        (folder / f"{key}.failed").write_text(traceback.format_exc(), encoding="utf-8")
        raise
    finally:
        starting.unlink(missing_ok=True)
    listener.settimeout(1.0)
    last = time.monotonic()
    try:
        while time.monotonic() - last < idle and path.exists():
            # a copy's exit is collected here, by its parent
            with contextlib.suppress(ChildProcessError):
                while os.waitpid(-1, os.WNOHANG)[0]:
                    pass
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            last = time.monotonic()
            creds = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                    struct.calcsize("3i"))
            if struct.unpack("3i", creds)[1] != os.getuid():
                conn.close()
                continue
            sys.stdout.flush()
            sys.stderr.flush()
            if os.fork() == 0:
                listener.close()
                _serve_one(conn)
            conn.close()
    finally:
        with contextlib.suppress(OSError):
            if path.stat().st_ino == inode:
                path.unlink()
        listener.close()


__all__ = ["IDLE_SECONDS", "SWITCH_ENV", "run_warm", "serve", "server_key"]


if __name__ == "__main__":
    # run as the package's module, not as __main__: a copy reads SERVED from there
    from wmresearch import warm

    warm.serve(Path(sys.argv[1]), sys.argv[2])
