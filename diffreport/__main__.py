import signal
import sys

try:
    from .cli import run
except KeyboardInterrupt:  # Ctrl-C while Python is still starting up: no traceback either
    sys.stderr.write("diffreport: interrupted; no file was written\n")
    sys.exit(2)

try:
    run()
except KeyboardInterrupt:  # Ctrl-C before click dispatched the command (no output started)
    sys.stderr.write("diffreport: interrupted; no file was written\n")
    sys.exit(2)
finally:
    # The command is over (its output written or its error reported): a Ctrl-C that lands in
    # the interpreter's shutdown must not turn a finished run into a crash (exit -2).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
