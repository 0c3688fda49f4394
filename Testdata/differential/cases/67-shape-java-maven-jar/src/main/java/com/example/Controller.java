package com.example;

public class Controller {}
