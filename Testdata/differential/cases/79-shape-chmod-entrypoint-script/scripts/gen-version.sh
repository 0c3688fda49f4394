#!/bin/sh
echo "1.0.0+shape"
