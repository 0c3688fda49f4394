#!/bin/sh
echo "FAIL: 1 test failed"
exit 1
