"""A report's kernel forked from the process that renders it, for a copy of a warm server
(:mod:`wmresearch.warm`): the kernel starts with every module the server imported, instead
of a new interpreter importing them again (about two seconds per report stage).

The kernel is the one ``python -m ipykernel_launcher -f <connection file>`` would start:
the same command-line options, environment, working directory, import path and a session of
its own, with standard input from ``/dev/null``. jupyter_client manages it as it manages a
started kernel (:class:`ForkedKernel` replaces only the launch).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner


def _launcher_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments ``cmd`` passes to ``python [options] -m ipykernel_launcher``; ``None``
    for another command. Interpreter options (ipykernel's kernel spec has
    ``-Xfrozen_modules=off``, for its debugger) are this process's own."""
    for i in range(1, len(cmd) - 1):
        if cmd[i] == "-m":
            return cmd[i + 2:] if cmd[i + 1] == "ipykernel_launcher" else None
        if not cmd[i].startswith("-"):
            return None
    return None


class _ForkedProcess:
    """The forked kernel, with the part of :class:`subprocess.Popen` jupyter_client uses."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                pid, status = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        if self.returncode is None:
            with contextlib.suppress(ChildProcessError):
                _, status = os.waitpid(self.pid, 0)
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _become_kernel(arguments: list[str], env: dict[str, str], cwd: str) -> None:
    """In the forked child: run ipykernel with ``arguments``, as ipykernel_launcher would,
    then exit."""
    code = 1
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        import asyncio

        import ipykernel_launcher

        # the parent's event loop is not this process's
        asyncio.set_event_loop_policy(None)
        # ``python -m`` puts the working directory first and ipykernel_launcher takes it out:
        # the import path is the interpreter's own, as in a started kernel
        sys.path[:] = sys.path[1:]
        # ipykernel reads the parent's process id from the environment when it is imported,
        # which was in the parent: it is given as the option that means the same
        sys.argv = [ipykernel_launcher.__file__, *arguments,
                    f"--IPKernelApp.parent_handle={env['JPY_PARENT_PID']}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)


class ForkedKernel(LocalProvisioner):
    """jupyter_client's local provisioner, launching the kernel as a fork of this process
    (a command other than ipykernel's launcher is started as usual)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        arguments = _launcher_arguments(cmd)
        if arguments is None:
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # the kernel exits if this process dies
        cwd = str(kwargs.get("cwd") or os.getcwd())
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        pid = os.fork()
        if pid == 0:
            _become_kernel(arguments, env, cwd)
        self.process = _ForkedProcess(pid)
        # the child leads a session of its own (the kernel and its worker), as a started
        # kernel does; its id is the child's, even before the child has called setsid
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


__all__ = ["ForkedKernel"]
