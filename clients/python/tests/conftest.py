import os
import sys

# The tests run against the source tree; `pip install ./clients/python` is tested separately.
SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
sys.path.insert(0, SRC)

pytest_plugins = ["pytester"]
