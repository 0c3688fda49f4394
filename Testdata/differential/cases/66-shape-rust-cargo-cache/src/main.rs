fn main() {
    println!("shape");
}
