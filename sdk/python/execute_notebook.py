"""Runs one notebook in a Jupyter kernel for `trainbook run` and reports progress as JSON lines.

usage:
  execute_notebook.py --check KERNEL   prints one line: {"type": "check", ...} (modules, kernelspec)
  execute_notebook.py < job.json       runs the job read from stdin

The job (written by sdk/src/headless/execute.ts) holds the notebook to run (parameters already
injected), where to write the executed copy, the folder the kernel runs in, the kernel name, a
per-cell timeout, the JPY_SESSION_NAME to give the kernel (so runs land in the notebook's sidecar
store), the code to run silently before each cell (the trainbook run context), and the closing
code, which exits the kernel process while it is idle so that the SDK's exit hooks end the runs it
left open: completed after the last cell, failed with the cell's error, interrupted on Ctrl-C / TERM.
With `parent_pid` (trainbook worker) the kernel is killed as soon as that parent process is gone.
tslab reports a failed cell on stderr (no error output), so its name and message are read there.

Every line on stdout is one JSON event: start, cell (running / done / error), error, end, fatal.
The executed notebook is written even when a cell fails (with that cell's error output), by a
temporary file and a rename, so a reader never sees half a notebook.
"""
import asyncio
import json
import os
import re
import signal
import sys
import tempfile

REQUIRED_MODULES = ("jupyter_client", "nbclient", "nbformat")
ERROR_PLACEHOLDER = "__TRAINBOOK_ERROR_JSON__"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def emit(event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def check(kernel_name):
    """Which of the Python modules and the kernelspec are missing."""
    missing = []
    for module in REQUIRED_MODULES:
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    kernelspec = None
    if "jupyter_client" not in missing:
        from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

        try:
            kernelspec = KernelSpecManager().get_kernel_spec(kernel_name).resource_dir
        except NoSuchKernel:
            kernelspec = None
    return {"type": "check", "ok": not missing and kernelspec is not None, "missing": missing, "kernel": kernel_name, "kernelspec": kernelspec, "python": sys.executable}


def error_json(ename, evalue, traceback):
    stack = ANSI.sub("", "\n".join(traceback or [])) or f"{ename}: {evalue}"
    return json.dumps({"name": ename, "message": evalue, "stack": stack})


def write_atomically(nb, path):
    import nbformat

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".trainbook-run-", suffix=".ipynb", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            nbformat.write(nb, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


async def run_silently(client, code, timeout=30.0):
    """Runs code without output or history and waits for its reply, so the order is kept."""
    from nbclient.util import ensure_async

    msg_id = client.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        try:
            reply = await ensure_async(client.kc.get_shell_msg(timeout=0.1))
        except Exception:  # noqa: BLE001 - queue.Empty: no reply yet
            if not await ensure_async(client.km.is_alive()):
                return None
            continue
        if reply.get("parent_header", {}).get("msg_id") == msg_id:
            return reply
    return None


async def close_kernel(client, code, timeout=15.0):
    """Runs the closing code, which ends the kernel process itself (its exit hooks end the runs
    it left open), and waits until the process is gone."""
    from nbclient.util import ensure_async

    client.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline and await ensure_async(client.km.is_alive()):
        await asyncio.sleep(0.05)


ERROR_LINE = re.compile(r"^([A-Za-z_$][\w$]*(?:Error|Exception)|Error|Uncaught)(?: \[[^\]]*\])?: (.*)$")


def describe_failure(cell, error):
    """ename, evalue and traceback of a failed cell. tslab sends no error output: it prints the
    error to stderr (`TypeError: boom` after the stack's source line, or `1:1 - message` for a
    type error), so the name and message are read from there."""
    if getattr(error, "ename", None) == "CellTimeoutError":
        return {"ename": error.ename, "evalue": error.evalue, "traceback": []}
    outputs = cell.get("outputs", [])
    failed = next((o for o in outputs if o.get("output_type") == "error"), None)
    if failed:
        return {"ename": failed.get("ename", "Error"), "evalue": failed.get("evalue", ""), "traceback": [ANSI.sub("", line) for line in failed.get("traceback", [])]}
    stderr = ANSI.sub("", "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"))
    lines = [line for line in stderr.splitlines() if line.strip()]
    for line in lines:
        match = ERROR_LINE.match(line.strip())
        if match:
            return {"ename": match.group(1), "evalue": match.group(2), "traceback": lines}
    if lines:
        return {"ename": "Error", "evalue": lines[-1].strip(), "traceback": lines}
    evalue = getattr(error, "evalue", None) or (str(error).strip().splitlines() or ["the cell failed"])[-1]
    return {"ename": getattr(error, "ename", None) or type(error).__name__, "evalue": evalue, "traceback": []}


async def run_cells(client, nb, runnable, before, job):
    """Runs the code cells in order, stopping at the first error; then the closing code."""
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    status, failure = "completed", None
    for done, index in enumerate(runnable):
        cell = nb.cells[index]
        if index in before:
            await run_silently(client, before[index])
        emit({"type": "cell", "index": index, "ordinal": done + 1, "state": "running"})
        try:
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except (CellExecutionError, CellTimeoutError) as error:
            failure = describe_failure(cell, error)
            failure["index"] = index
            emit({"type": "cell", "index": index, "ordinal": done + 1, "state": "error"})
            emit({"type": "error", **failure})
            status = "failed"
            break
        emit({"type": "cell", "index": index, "ordinal": done + 1, "state": "done"})
    if status == "completed":
        await close_kernel(client, job["on_success"])
    else:
        # tslab aborts every request that arrives in the 200 ms after an error.
        await asyncio.sleep(0.3)
        code = job["on_failure"].replace(ERROR_PLACEHOLDER, error_json(failure["ename"], failure["evalue"], failure["traceback"]))
        await close_kernel(client, code)
    return status, failure


def watch_parent(parent_pid, kernel_group):
    """For `trainbook worker`: when the worker is gone (killed, machine lost), its job must not
    go on training beside the attempt that takes it over. Every 0.5 s: if this process's parent is
    no longer the worker, the kernel's process group is killed at once (its runs stop
    heartbeating: they read as crashed) and the driver exits."""
    import threading
    import time

    def loop():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                group = kernel_group()
                if group:
                    try:
                        os.killpg(group, signal.SIGKILL)
                    except OSError:
                        pass
                os._exit(137)

    threading.Thread(target=loop, name="trainbook-watch-parent", daemon=True).start()


async def execute(job):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbclient.util import ensure_async

    # reads() (not from_dict) joins sources stored as lists of lines, as nbformat allows on disk.
    nb = nbformat.reads(json.dumps(job["notebook"]), as_version=4)
    before = {int(k): v for k, v in job.get("before", {}).items()}
    runnable = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    env = dict(os.environ)
    env["JPY_SESSION_NAME"] = job["session"]
    client = NotebookClient(
        nb,
        kernel_name=job["kernel"],
        timeout=job.get("timeout"),
        startup_timeout=job.get("startup_timeout", 60),
        resources={"metadata": {"path": job["cwd"]}},
        record_timing=True,
        shutdown_kernel="graceful",
        error_on_timeout={"ename": "CellTimeoutError", "evalue": f"the cell ran longer than {job.get('timeout')} s (--timeout)", "traceback": []},
        interrupt_on_timeout=True,
    )
    status = "completed"
    failure = None
    emit({"type": "start", "cells": len(runnable)})
    if job.get("parent_pid"):
        # The kernel runs in a session of its own (jupyter_client): its pid is its group's id.
        watch_parent(int(job["parent_pid"]), lambda: getattr(getattr(client.km, "provisioner", None), "pid", None))
    try:
        async with client.async_setup_kernel(env=env, cwd=job["cwd"]):
            # nbclient's own handlers shut the kernel down at once; ours interrupt the cell first.
            # A second signal (Ctrl-C reaches the whole process group, and trainbook sends TERM
            # too) must not cut that cleanup short.
            loop = asyncio.get_running_loop()
            task = asyncio.current_task()
            interrupted = []

            def on_signal():
                if not interrupted:
                    interrupted.append(True)
                    task.cancel()

            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    loop.add_signal_handler(sig, on_signal)
                except (NotImplementedError, RuntimeError):
                    pass
            try:
                status, failure = await run_cells(client, nb, runnable, before, job)
            except (asyncio.CancelledError, DeadKernelError):
                # nbclient turns a cancelled cell into DeadKernelError.
                if not interrupted:
                    raise
                status = "interrupted"
                try:
                    await ensure_async(client.km.interrupt_kernel())
                    await asyncio.sleep(0.3)
                    await close_kernel(client, job["on_interrupt"], timeout=5)
                except Exception:  # noqa: BLE001 - the kernel may be gone already
                    pass
    except DeadKernelError as error:
        status = "failed"
        failure = {"index": None, "ename": "DeadKernelError", "evalue": f"the kernel died: {error}", "traceback": []}
        emit({"type": "error", **failure})
    except asyncio.CancelledError:
        status = "interrupted"
    finally:
        try:
            write_atomically(nb, job["output"])
        except OSError as error:
            status = "failed"
            emit({"type": "fatal", "message": f"could not save the executed notebook to {job['output']}: {error}"})
        emit({"type": "end", "status": status, "output": job["output"]})
    return status


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        emit(check(sys.argv[2]))
        return 0
    job = json.load(sys.stdin)
    checked = check(job["kernel"])
    if not checked["ok"]:
        emit({**checked, "type": "fatal"})
        return 3
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    task = loop.create_task(execute(job))
    # Ctrl-C or a TERM from trainbook: stop the cell, then shut the kernel down (its runs end
    # as interrupted); nbclient's own cleanup kills the kernel if it does not stop in time.
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, task.cancel)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        status = loop.run_until_complete(task)
    except asyncio.CancelledError:
        status = "interrupted"
    except Exception as error:  # noqa: BLE001 - reported to trainbook as one JSON line
        emit({"type": "fatal", "message": f"{type(error).__name__}: {error}"})
        return 3
    return {"completed": 0, "failed": 1}.get(status, 130)


if __name__ == "__main__":
    sys.exit(main())
