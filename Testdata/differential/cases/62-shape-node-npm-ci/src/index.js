const mode = "DEV";
console.log(mode);
