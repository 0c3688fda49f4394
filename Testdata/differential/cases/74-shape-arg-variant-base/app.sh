#!/bin/sh
cat /flavour
