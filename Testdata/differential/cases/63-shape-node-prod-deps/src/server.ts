const greeting: string = "hi";
console.log(greeting);
